// A plain @refetchable fragment on Operation, a Node: relay-compiler generates
// OperationSummaryRefetchQuery, which reads it again through `node(id:)`.
import { graphql } from 'react-relay';

export const operationSummaryFragment = graphql`
  fragment OperationSummary_operation on Operation
  @refetchable(queryName: "OperationSummaryRefetchQuery") {
    title
    datePrecision
    militantsKilled
    securityKilled
  }
`;
