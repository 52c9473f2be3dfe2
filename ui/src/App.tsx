import { useEffect, type ReactNode } from 'react';
import {
  Button,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadLogo,
  MastheadMain,
  MastheadToggle,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSection,
  PageSidebar,
  PageSidebarBody,
  PageToggleButton,
  SkipToContent,
  Title,
} from '@patternfly/react-core';
import { useAuth } from './auth';
import { Loading } from './components/common';
import { LoginPage } from './pages/LoginPage';
import { OverviewPage } from './pages/OverviewPage';
import { ActivityPage, AlertsPage, CollectionRunsPage } from './pages/ListPages';
import { ProviderFormPage, ProviderPage, ProvidersPage } from './pages/ProvidersPage';
import { ResourcePage } from './pages/ResourcePage';
import { SystemsPage } from './pages/SystemsPage';
import { TopologyPage } from './pages/TopologyPage';
import { ResourcesPage } from './pages/ResourcesPage';
import { BASE, Link, navigate, useLocation, type Location } from './router';

interface Route {
  /** Matched against the path inside /ui/; groups are passed to the page. */
  pattern: RegExp;
  title: string;
  render: (match: RegExpExecArray, location: Location) => ReactNode;
}

const NAV: { to: string; label: string }[] = [
  { to: '/', label: 'Overview' },
  { to: '/resources/', label: 'Resources' },
  { to: '/topology/', label: 'Topology' },
  { to: '/providers/', label: 'Providers' },
  { to: '/collection-runs/', label: 'Collection runs' },
  { to: '/systems/', label: 'Systems' },
  { to: '/alerts/', label: 'Alerts' },
  { to: '/activity/', label: 'Activity' },
];

const UUID = '([0-9a-fA-F-]{36})';
const ROUTES: Route[] = [
  { pattern: /^\/$/, title: 'Overview', render: () => <OverviewPage /> },
  {
    pattern: /^\/resources\/$/,
    title: 'Resources',
    render: (_m, location) => <ResourcesPage location={location} />,
  },
  {
    pattern: new RegExp(`^/resources/${UUID}/$`),
    title: 'Resource',
    render: (m) => <ResourcePage key={m[1]} id={m[1]} />,
  },
  {
    pattern: /^\/topology\/$/,
    title: 'Topology',
    render: (_m, location) => <TopologyPage location={location} />,
  },
  { pattern: /^\/providers\/$/, title: 'Providers', render: () => <ProvidersPage /> },
  { pattern: /^\/providers\/new\/$/, title: 'Add a provider', render: () => <ProviderFormPage /> },
  {
    pattern: new RegExp(`^/providers/${UUID}/$`),
    title: 'Provider',
    render: (m) => <ProviderPage key={m[1]} id={m[1]} />,
  },
  {
    pattern: new RegExp(`^/providers/${UUID}/edit/$`),
    title: 'Edit provider',
    render: (m) => <ProviderFormPage key={m[1]} id={m[1]} />,
  },
  {
    pattern: /^\/collection-runs\/$/,
    title: 'Collection runs',
    render: (_m, location) => <CollectionRunsPage location={location} />,
  },
  { pattern: /^\/systems\/$/, title: 'Systems', render: () => <SystemsPage /> },
  { pattern: /^\/alerts\/$/, title: 'Alerts', render: (_m, location) => <AlertsPage location={location} /> },
  { pattern: /^\/activity\/$/, title: 'Activity', render: () => <ActivityPage /> },
];

function NotFound() {
  return (
    <PageSection>
      <Title headingLevel="h1">Not found</Title>
      <p>
        There is no page here. <Link to="/">Go to the overview</Link>.
      </p>
    </PageSection>
  );
}

export function App() {
  const { state, logout } = useAuth();
  const location = useLocation();
  const route = ROUTES.map((r) => ({ r, match: r.pattern.exec(location.path) })).find((x) => x.match);
  useEffect(() => {
    document.title = `${route?.r.title ?? 'Not found'} · Inventory`;
  }, [route?.r.title]);

  if (state.status === 'checking') return <Loading label="Checking your session" />;
  if (state.status === 'signed-out') return <LoginPage reason={state.reason} />;

  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label="Main navigation" />
        </MastheadToggle>
        <MastheadBrand>
          <MastheadLogo component={(props) => <Link {...props} to="/" />}>
            <span
              style={{ fontSize: 20, fontWeight: 600, color: 'var(--pf-t--global--text--color--regular)' }}
            >
              Inventory
            </span>
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <span style={{ marginLeft: 'auto', display: 'flex', gap: 12, alignItems: 'center' }}>
          <span>{state.user.username}</span>
          {!state.gateway && (
            <Button variant="secondary" onClick={() => void logout()}>
              Log out
            </Button>
          )}
        </span>
      </MastheadContent>
    </Masthead>
  );
  const active = (to: string) => (to === '/' ? location.path === '/' : location.path.startsWith(to));
  const sidebar = (
    <PageSidebar>
      <PageSidebarBody>
        <Nav aria-label="Pages">
          <NavList>
            {NAV.map((item) => (
              <NavItem
                key={item.to}
                isActive={active(item.to)}
                to={`${BASE}${item.to}`}
                onClick={(event) => {
                  event.preventDefault();
                  navigate(item.to);
                }}
              >
                {item.label}
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );
  return (
    <Page
      masthead={masthead}
      sidebar={sidebar}
      isManagedSidebar
      mainContainerId="main"
      skipToContent={<SkipToContent href="#main">Skip to content</SkipToContent>}
    >
      {route ? route.r.render(route.match as RegExpExecArray, location) : <NotFound />}
    </Page>
  );
}
