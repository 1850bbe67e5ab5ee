/** The claim both bench scripts send, selecting what a scheduler reads back. */
export const CLAIM_MUTATION = `mutation($input: ClaimInput!) {
  claim(input: $input) {
    __typename
    ... on ClaimPayload { selections { providerUuid hostsTried alternates { providerUuid } } }
    ... on Error { code message }
  }
}`;
