/**
 * Discord's limits on what a message may carry, and helpers that keep text and embeds within them.
 * Discord rejects a message over any of these with an error the user never sees ("interaction failed").
 */
import type { APIEmbed, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/** Discord's documented limits. */
export const LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  /** Title, description, field names and values, footer and author name of all embeds of a message. */
  embedTotal: 6000,
  embedsPerMessage: 10,
  actionRows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  selectOptions: 25,
  selectOptionText: 100,
  selectPlaceholder: 150,
  choices: 25,
  choiceName: 100,
  choiceValue: 100,
  modalTitle: 45,
  textInputLabel: 45,
  textInputValue: 4000,
  /** Names, descriptions, choice names and values of a command and all its options, localizations included. */
  commandTotal: 4000,
} as const;

/** `text` cut to `max` characters, ending in `…` when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The characters of an embed that count towards the 6 000-character total. */
export function embedLength(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.author?.name.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}

/**
 * An embed within every limit: each part clipped to its own limit, at most 25 fields, and the whole within
 * `budget` characters (6 000 by default) by dropping fields from the end, then clipping the description.
 * Dropped fields are counted in a last field so nothing disappears silently.
 */
export function fitEmbed(embed: APIEmbed, budget: number = LIMITS.embedTotal): APIEmbed {
  const fitted: APIEmbed = {
    ...embed,
    ...(embed.title === undefined ? {} : { title: clip(embed.title, LIMITS.embedTitle) }),
    ...(embed.description === undefined
      ? {}
      : { description: clip(embed.description, LIMITS.embedDescription) }),
    ...(embed.footer === undefined
      ? {}
      : { footer: { ...embed.footer, text: clip(embed.footer.text, LIMITS.footer) } }),
    ...(embed.author === undefined
      ? {}
      : { author: { ...embed.author, name: clip(embed.author.name, LIMITS.authorName) } }),
  };
  let fields = (embed.fields ?? []).map((field) => ({
    ...field,
    name: clip(field.name || '\u200b', LIMITS.fieldName),
    value: clip(field.value || '\u200b', LIMITS.fieldValue),
  }));
  let dropped = 0;
  const withFields = (): APIEmbed => {
    const more =
      dropped > 0
        ? [{ name: 'And more', value: `${dropped} more not shown: narrow the request to see them.` }]
        : [];
    return fields.length + more.length > 0 ? { ...fitted, fields: [...fields, ...more] } : { ...fitted };
  };
  while (
    fields.length > 0 &&
    (fields.length + (dropped > 0 ? 1 : 0) > LIMITS.embedFields || embedLength(withFields()) > budget)
  ) {
    fields = fields.slice(0, -1);
    dropped += 1;
  }
  const result = withFields();
  const over = embedLength(result) - budget;
  if (over > 0 && result.description !== undefined) {
    result.description = clip(result.description, Math.max(1, result.description.length - over));
  }
  return result;
}

interface CommandNode {
  readonly name: string;
  readonly description?: string;
  readonly name_localizations?: Readonly<Record<string, string | null>> | null;
  readonly description_localizations?: Readonly<Record<string, string | null>> | null;
  readonly options?: readonly CommandNode[];
  readonly choices?: readonly {
    readonly name: string;
    readonly value: string | number;
    readonly name_localizations?: Readonly<Record<string, string | null>> | null;
  }[];
}

const localized = (map: Readonly<Record<string, string | null>> | null | undefined): number =>
  Object.values(map ?? {}).reduce((sum, text) => sum + (text?.length ?? 0), 0);

/** The characters of a command definition that count towards Discord's 4 000-character total. */
export function commandLength(definition: RESTPostAPIChatInputApplicationCommandsJSONBody): number {
  const visit = (node: CommandNode): number =>
    node.name.length +
    (node.description?.length ?? 0) +
    localized(node.name_localizations) +
    localized(node.description_localizations) +
    (node.choices ?? []).reduce(
      (sum, choice) =>
        sum + choice.name.length + String(choice.value).length + localized(choice.name_localizations),
      0,
    ) +
    (node.options ?? []).reduce((sum, option) => sum + visit(option), 0);
  return visit(definition as CommandNode);
}
