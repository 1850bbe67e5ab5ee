/** The claim both bench scripts send, selecting what a scheduler reads back. */
export const CLAIM_MUTATION = `mutation($input: ClaimInput!) {
  claim(input: $input) {
    __typename
    ... on ClaimPayload { selections { providerUuid hostsTried alternates { providerUuid } } }
    ... on Error { code message }
  }
}`;

/** The candidate search both bench worlds time (limit 50, what a scheduler reads back). */
export const CANDIDATES_QUERY = `query($request: PlacementRequest!) {
  allocationCandidates(request: $request, limit: 50) {
    ... on AllocationCandidates { candidates { providerUuid weight allocationRequest { providerUuid resources { resourceClass amount } } } }
    ... on Error { code message }
  }
}`;
