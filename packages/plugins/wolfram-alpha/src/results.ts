/**
 * The typed results of the Wolfram|Alpha APIs, and the reading of the Full Results API's JSON
 * (`/v2/query?output=json`) and of the validate-query answer (`/v2/validatequery`, XML) into them.
 */

/** A Short Answers or Spoken Results answer. */
export interface TextAnswer {
  /** The input as it was sent. */
  readonly input: string;
  /** The answer ("384400 kilometers", "The answer is 2"). */
  readonly text: string;
  /** Milliseconds until Wolfram|Alpha's answer arrived. */
  readonly latencyMs: number;
}

/** An image of a subpod (Full Results with the `image` format). */
export interface PodImage {
  readonly src: string;
  readonly alt: string;
  readonly width: number | null;
  readonly height: number | null;
}

/** One part of a pod. */
export interface Subpod {
  readonly title: string;
  /** The text form of the result, when the `plaintext` format was asked for and there is one. */
  readonly plaintext: string | null;
  readonly image: PodImage | null;
}

/** One block of a Full Results answer ("Input interpretation", "Result"…). */
export interface Pod {
  readonly id: string;
  readonly title: string;
  readonly scanner: string;
  readonly position: number;
  /** Whether Wolfram|Alpha marks this pod as the main result. */
  readonly primary: boolean;
  /** Whether this pod failed to compute. */
  readonly error: boolean;
  readonly subpods: readonly Subpod[];
}

/** A suggestion for input Wolfram|Alpha did not understand. */
export interface DidYouMean {
  readonly value: string;
  readonly score: number | null;
  readonly level: string;
}

/** A Full Results answer. */
export interface FullResults {
  /** Whether Wolfram|Alpha understood the input; when false, see `didYouMeans` and `tips`. */
  readonly success: boolean;
  /** The input as Wolfram|Alpha read it. */
  readonly input: string;
  readonly pods: readonly Pod[];
  /** The data types involved ("Math", "City"…). */
  readonly dataTypes: readonly string[];
  /** Scanners that ran out of time: the answer may lack their pods. */
  readonly timedOut: readonly string[];
  readonly didYouMeans: readonly DidYouMean[];
  readonly tips: readonly string[];
  /** Seconds Wolfram|Alpha spent, as it reports. */
  readonly timing: number | null;
  /** Milliseconds until the answer arrived. */
  readonly latencyMs: number;
}

/** A validate-query answer: the input was parsed, nothing was computed. */
export interface QueryValidation {
  /** Whether Wolfram|Alpha could interpret the input. */
  readonly success: boolean;
  /** Seconds Wolfram|Alpha spent parsing, as it reports. */
  readonly parseTiming: number | null;
  readonly latencyMs: number;
}

/** The Full Results JSON of one subpod. */
interface RawSubpod {
  readonly title?: string;
  readonly plaintext?: string;
  readonly img?: {
    readonly src?: string;
    readonly alt?: string;
    readonly width?: number | string;
    readonly height?: number | string;
  };
}

/** The Full Results JSON of one pod. */
interface RawPod {
  readonly id?: string;
  readonly title?: string;
  readonly scanner?: string;
  readonly position?: number | string;
  readonly primary?: boolean;
  readonly error?: unknown;
  readonly subpods?: readonly RawSubpod[];
}

/** The JSON the Full Results API wraps in `queryresult`. */
export interface RawQueryResult {
  readonly success?: boolean;
  /** `false`, or `{ code, msg }` when the query failed (an invalid app id, for one). */
  readonly error?: boolean | { readonly code?: string | number; readonly msg?: string };
  readonly inputstring?: string;
  readonly datatypes?: string;
  readonly timedout?: string;
  readonly timing?: number | string;
  readonly pods?: readonly RawPod[];
  readonly didyoumeans?: RawDidYouMean | readonly RawDidYouMean[];
  readonly tips?: { readonly text?: string } | readonly { readonly text?: string }[];
}

interface RawDidYouMean {
  readonly val?: string;
  readonly score?: number | string;
  readonly level?: string;
}

/** A number from a JSON number or numeric string, or null. */
function numberOf(value: unknown): number | null {
  const number = typeof value === 'string' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : null;
}

/** The items of a field that is one object or an array of them, as Wolfram|Alpha's JSON does. */
function listOf<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** A comma-separated list. */
function splitList(value: string | undefined): string[] {
  return (value ?? '').split(',').filter((item) => item.trim() !== '');
}

function toPod(raw: RawPod): Pod {
  return {
    id: raw.id ?? '',
    title: raw.title ?? '',
    scanner: raw.scanner ?? '',
    position: numberOf(raw.position) ?? 0,
    primary: raw.primary === true,
    error: raw.error !== undefined && raw.error !== false,
    subpods: (raw.subpods ?? []).map((subpod) => ({
      title: subpod.title ?? '',
      plaintext: typeof subpod.plaintext === 'string' && subpod.plaintext !== '' ? subpod.plaintext : null,
      image:
        subpod.img?.src === undefined
          ? null
          : {
              src: subpod.img.src,
              alt: subpod.img.alt ?? '',
              width: numberOf(subpod.img.width),
              height: numberOf(subpod.img.height),
            },
    })),
  };
}

/** Reads a successful or not-understood `queryresult` (one without an `error` object). */
export function toFullResults(raw: RawQueryResult, input: string, latencyMs: number): FullResults {
  return {
    success: raw.success === true,
    input: raw.inputstring ?? input,
    pods: (raw.pods ?? []).map(toPod),
    dataTypes: splitList(raw.datatypes),
    timedOut: splitList(raw.timedout),
    didYouMeans: listOf(raw.didyoumeans)
      .filter((item) => typeof item.val === 'string')
      .map((item) => ({ value: item.val as string, score: numberOf(item.score), level: item.level ?? '' })),
    tips: listOf(raw.tips)
      .map((tip) => tip.text)
      .filter((text): text is string => typeof text === 'string'),
    timing: numberOf(raw.timing),
    latencyMs,
  };
}

/**
 * The text of the main result of a Full Results answer: the primary pod's, else the `Result` pod's, else
 * that of the first pod after the input interpretation; null when there is none.
 *
 * @param results - a Full Results answer.
 */
export function primaryText(results: FullResults): string | null {
  const text = (pod: Pod | undefined): string | null =>
    pod?.subpods.find((subpod) => subpod.plaintext !== null)?.plaintext ?? null;
  const candidates = [
    results.pods.find((pod) => pod.primary),
    results.pods.find((pod) => pod.id === 'Result'),
    ...results.pods.filter((pod) => pod.id !== 'Input' && pod.scanner !== 'Identity'),
  ];
  for (const pod of candidates) {
    const found = text(pod);
    if (found !== null) return found;
  }
  return null;
}

/** The attributes of an XML start tag, `name='value'` or `name="value"`. */
function attributesOf(tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of tag.matchAll(/([A-Za-z_][\w.-]*)\s*=\s*(?:'([^']*)'|"([^"]*)")/g)) {
    attributes[match[1] as string] = match[2] ?? match[3] ?? '';
  }
  return attributes;
}

/** The text of the first `<name>…</name>` element inside `xml`, entities of XML decoded. */
function elementText(xml: string, name: string): string | undefined {
  const found = new RegExp(`<${name}(?:\\s[^>]*)?>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];
  if (found === undefined) return undefined;
  return found
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .trim();
}

/** A validate-query answer: its root attributes and its `error` element, when there is one. */
export interface RawValidation {
  readonly success: boolean;
  readonly parseTiming: number | null;
  readonly error?: { readonly code: string; readonly msg: string };
}

/**
 * Reads the XML answer of `/v2/validatequery`: the `<validatequeryresult success='…' parsetiming='…'>`
 * root and its `<error><code/><msg/></error>`.
 *
 * @returns undefined when the text is not such an answer.
 */
export function parseValidation(xml: string): RawValidation | undefined {
  const root = /<validatequeryresult\b([^>]*)>/.exec(xml);
  if (!root) return undefined;
  const attributes = attributesOf(root[1] ?? '');
  const errorXml = elementText(xml, 'error');
  const error =
    errorXml === undefined
      ? undefined
      : { code: elementText(errorXml, 'code') ?? '', msg: elementText(errorXml, 'msg') ?? '' };
  return {
    success: attributes.success === 'true',
    parseTiming: numberOf(attributes.parsetiming),
    ...(error === undefined ? {} : { error }),
  };
}
