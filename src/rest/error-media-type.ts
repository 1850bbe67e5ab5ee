/**
 * The representation webob gives an error answer (WSGIHTTPException.generate_response): the first
 * of text/html and application/json that the Accept header admits, ordered by the quality of the
 * most specific range matching each, ties in that order (so HTML first); text/plain when neither
 * is admitted. Hand-written after webob's AcceptValidHeader.acceptable_offers: the `negotiator`
 * package breaks ties by specificity and by the header's order, webob by the offer's order only.
 */
export type ErrorMediaType = 'text/html' | 'application/json' | 'text/plain';

const OFFERS = ['text/html', 'application/json'] as const;
const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

interface MediaRange {
  type: string;
  subtype: string;
  /** Whether the range carries media type parameters (`text/html;level=1`): then it matches no bare offer. */
  hasParams: boolean;
  q: number;
}

/** The ranges of an Accept header, or null when webob would call the header invalid. */
function parseAccept(header: string): MediaRange[] | null {
  const ranges: MediaRange[] = [];
  for (const item of header.split(',')) {
    const [range = '', ...params] = item.split(';').map((part) => part.trim());
    if (range === '' && params.length === 0) continue;
    const [type = '', subtype = '', ...rest] = range.toLowerCase().split('/');
    if (rest.length > 0 || !TOKEN.test(type) || !TOKEN.test(subtype)) return null;
    let q = 1;
    let hasParams = false;
    for (const param of params) {
      const [name = '', value = ''] = param.split('=').map((part) => part.trim());
      if (name.toLowerCase() !== 'q') {
        hasParams = true;
        continue;
      }
      if (!QVALUE.test(value)) return null;
      q = Number(value);
      break; // parameters after q are accept-extensions: they do not qualify the media type
    }
    ranges.push({ type, subtype, hasParams, q });
  }
  return ranges;
}

/** How specifically a range matches an offer (webob's 3, 2, 1), 0 when it does not. */
function specificity(range: MediaRange, type: string, subtype: string): number {
  if (range.type === type && range.subtype === subtype) return range.hasParams ? 0 : 3;
  if (range.type === type && range.subtype === '*') return 2;
  if (range.type === '*' && range.subtype === '*') return 1;
  return 0;
}

export function errorMediaType(accept: string): ErrorMediaType {
  const ranges = parseAccept(accept);
  // An invalid header admits every offer, in order.
  if (ranges === null) return OFFERS[0];
  const admitted = OFFERS.map((offer, index) => {
    const [type = '', subtype = ''] = offer.split('/');
    let best = { q: 0, specificity: 0 };
    for (const range of ranges) {
      const s = specificity(range, type, subtype);
      if (s > best.specificity) best = { q: range.q, specificity: s };
    }
    return { offer, index, q: best.q };
  })
    .filter((offer) => offer.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return admitted[0]?.offer ?? 'text/plain';
}
