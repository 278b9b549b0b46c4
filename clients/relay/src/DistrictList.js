// A Relay query over ctgraph, compiled by relay-compiler in CI (issue 9) to prove that the
// schema is one Relay accepts: a nested connection (districts -> a district's operations) kept
// in the store under an @connection key, and a @refetchable fragment on District (a Node,
// refetched through the root `node(id:)` field).
// Nothing here runs: relay-compiler only parses these `graphql` templates, so react-relay
// is not installed.
import { graphql } from 'react-relay';

export const districtListQuery = graphql`
  query DistrictListQuery($first: Int!, $operationsFirst: Int!) {
    districts(first: $first) {
      totalCount
      nodes {
        id
        name
        province {
          name
        }
        operations(first: $operationsFirst)
          @connection(key: "DistrictList_operations") {
          totalCount
          edges {
            node {
              id
              title
              startDate
            }
          }
        }
        ...DistrictOperations_district @arguments(count: $operationsFirst)
      }
    }
  }
`;
