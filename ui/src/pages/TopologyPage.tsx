import { FormGroup, FormSelect, FormSelectOption, PageSection, Title } from '@patternfly/react-core';
import { query, type Page } from '../api';
import { useApi, WhenLoaded } from '../components/common';
import { Graph } from '../components/graph';
import { navigate, type Location } from '../router';

interface Node {
  id: string;
  name: string;
  resource_type_slug: string;
}
interface Edge {
  id: string;
  source: string;
  target: string;
  relationship_type: string;
}

/** /ui/topology/?provider={id}: a provider's resources and relationships, laid out in rows by type. */
export function TopologyPage({ location }: { location: Location }) {
  const provider = location.params.get('provider') ?? '';
  const providers = useApi<Page<{ id: string; name: string }>>(
    '/providers/?page_size=1000&ordering=name&fields=id,name',
  );
  const nodes = useApi<Page<Node>>(
    provider
      ? `/resources/${query({ provider, removed: 'false', page_size: 1000, fields: 'id,name,resource_type_slug' })}`
      : null,
  );
  const edges = useApi<Page<Edge>>(
    provider
      ? `/resource-relationships/${query({ provider, removed: 'false', page_size: 1000, fields: 'id,source,target,relationship_type' })}`
      : null,
  );
  return (
    <>
      <PageSection>
        <Title headingLevel="h1">Topology</Title>
        <FormGroup label="Provider" fieldId="topology-provider" style={{ maxWidth: 420 }}>
          <FormSelect
            id="topology-provider"
            value={provider}
            onChange={(_e, value) => navigate(`/topology/${value ? `?provider=${value}` : ''}`, true)}
          >
            <FormSelectOption value="" label="Choose a provider" />
            {providers.data?.results.map((p) => (
              <FormSelectOption key={p.id} value={p.id} label={p.name} />
            ))}
          </FormSelect>
        </FormGroup>
      </PageSection>
      <PageSection>
        {provider && (
          <WhenLoaded state={nodes}>
            {(n) => (
              <WhenLoaded state={edges}>
                {(e) => {
                  const ids = new Set(n.results.map((r) => r.id));
                  const shown = e.results.filter((edge) => ids.has(edge.source) && ids.has(edge.target));
                  return (
                    <>
                      <p>
                        <span data-count="nodes">{n.results.length}</span> resources,{' '}
                        <span data-count="edges">{shown.length}</span> relationships
                        {n.next || e.next ? ' (the first 1,000 of each)' : ''}. Rows: clusters and pools,
                        hosts, virtual machines, storage.
                      </p>
                      <Graph
                        label="Provider topology"
                        nodes={n.results.map((r) => ({
                          id: r.id,
                          label: r.name,
                          type: r.resource_type_slug,
                        }))}
                        edges={shown.map((edge) => ({
                          id: edge.id,
                          source: edge.source,
                          target: edge.target,
                          type: edge.relationship_type,
                        }))}
                      />
                    </>
                  );
                }}
              </WhenLoaded>
            )}
          </WhenLoaded>
        )}
      </PageSection>
    </>
  );
}
