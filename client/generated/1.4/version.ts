/* eslint-disable */
/** The API version these documents were generated from (schema/versions/1.4.graphql); sent as Placement-API-Version. */
export const PLACEMENT_API_VERSION = '1.4' as const;