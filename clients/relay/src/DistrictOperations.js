// A pagination fragment on District, a Node: @refetchable makes relay-compiler generate
// DistrictOperationsPaginationQuery, which refetches the district through `node(id:)`, and
// @connection keys the paginated `operations` connection (first/after) in the store.
import { graphql } from 'react-relay';

export const districtOperationsFragment = graphql`
  fragment DistrictOperations_district on District
  @refetchable(queryName: "DistrictOperationsPaginationQuery")
  @argumentDefinitions(
    count: { type: "Int", defaultValue: 10 }
    cursor: { type: "String" }
  ) {
    name
    operations(first: $count, after: $cursor)
      @connection(key: "DistrictOperations_operations") {
      edges {
        node {
          id
          title
          kind
          startDate
          ...OperationSummary_operation
        }
      }
    }
  }
`;
