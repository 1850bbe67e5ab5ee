/* eslint-disable */
/** The API version these documents were generated from (schema/versions/1.0.graphql); sent as Placement-API-Version. */
export const PLACEMENT_API_VERSION = '1.0' as const;