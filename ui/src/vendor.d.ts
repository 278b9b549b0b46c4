// Types for the one dependency that ships none: the fCoSE layout, registered with `cytoscape.use`.
declare module 'cytoscape-fcose' {
  import type { Ext } from 'cytoscape';
  const fcose: Ext;
  export default fcose;
}
