/** @cardea/admin-types: the Admin API's wire types, shared by the gateway, the studio and the tests. */
export type * from './AdminApiTypes.ts';
