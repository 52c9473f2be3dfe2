import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * Where the UI is mounted, without the trailing slash: `/ui`, or `/api/inventory/ui`
 * through a platform gateway. The service names it in the page's <base>; links and
 * navigation use the full path.
 */
export const BASE = new URL(document.baseURI).pathname.replace(/\/+$/, '') || '/ui';

export interface Location {
  /** Path inside the UI, always with a trailing slash: `/resources/`. */
  path: string;
  params: URLSearchParams;
}

function current(): Location {
  let path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  if (!path.endsWith('/')) path += '/';
  return { path, params: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();

export function navigate(to: string, replace = false): void {
  const url = to.startsWith(BASE) ? to : `${BASE}${to}`;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  for (const listener of listeners) listener();
  if (!replace) window.scrollTo(0, 0);
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return location;
}

/** A link inside the UI (a real href, so it opens in a new tab too). */
export function Link({ to, ...props }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const href = `${BASE}${to}`;
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    event.preventDefault();
    navigate(to);
  };
  return <a {...props} href={href} onClick={onClick} />;
}
