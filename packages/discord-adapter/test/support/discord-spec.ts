/**
 * Checks payloads sent to Discord against Discord's OpenAPI specification (API v10) and the rules the
 * specification leaves out: command and option names, length limits, option, choice, embed and component
 * counts.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const SPEC_FILE = new URL('../fixtures/discord-api-spec/openapi.json', import.meta.url);

interface Operation {
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: object }> };
}
interface Spec {
  readonly paths: Record<string, Record<string, Operation>>;
}

const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Spec & Record<string, unknown>;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
ajv.addFormat('snowflake', /^\d{1,20}$/);
ajv.addFormat('int32', true);
ajv.addFormat('int64', true);
ajv.addFormat('double', true);
ajv.addFormat('nonce', true);
ajv.addFormat('uri', /^[a-z][a-z\d+.-]*:\S+$/i);
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
ajv.addSchema({ ...spec, $id: 'discord' });

/** Path templates, those with fewer parameters first so `@original` wins over `{message_id}`. */
const routes = Object.keys(spec.paths)
  .map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    params: (template.match(/\{/g) ?? []).length,
  }))
  .sort((a, b) => a.params - b.params);

const validators = new Map<string, ValidateFunction>();

function validatorFor(template: string, method: string): ValidateFunction | undefined {
  const key = `${method} ${template}`;
  if (!validators.has(key)) {
    const schema = spec.paths[template]?.[method]?.requestBody?.content?.['application/json']?.schema;
    if (!schema) return undefined;
    const pointer = `discord#/paths/${template.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/requestBody/content/application~1json/schema`;
    validators.set(key, ajv.compile({ $ref: pointer }));
  }
  return validators.get(key);
}

/** A request to Discord's API: method, path (with or without `/api/v10` and a query string) and JSON body. */
export interface DiscordRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Rules of a command definition the specification does not encode. */
function commandProblems(command: Json): string[] {
  const problems: string[] = [];
  let total = 0;
  const visit = (node: Json, where: string, isCommand: boolean): void => {
    const name = text(node.name);
    if (!NAME.test(name)) problems.push(`${where}: name "${name}" does not match Discord's pattern`);
    if (name !== name.toLowerCase()) problems.push(`${where}: name "${name}" is not lower case`);
    const description = text(node.description);
    if (description.length < 1 || description.length > 100)
      problems.push(`${where}: description must be 1-100 characters (${description.length})`);
    total += name.length + description.length;
    const options = list(node.options);
    if (options.length > 25) problems.push(`${where}: ${options.length} options (at most 25)`);
    const choices = list(node.choices);
    if (choices.length > 25) problems.push(`${where}: ${choices.length} choices (at most 25)`);
    for (const choice of choices.filter(isObject)) {
      total += text(choice.name).length + String(choice.value ?? '').length;
    }
    if (!isCommand && node.autocomplete === true && choices.length > 0)
      problems.push(`${where}: autocomplete with choices`);
    for (const option of options.filter(isObject)) visit(option, `${where} ${text(option.name)}`, false);
  };
  visit(command, `/${text(command.name)}`, true);
  if (total > 4000) problems.push(`/${text(command.name)}: ${total} characters in all (at most 4000)`);
  return problems;
}

/** Rules of a message (content, embeds, components) the specification does not encode. */
function messageProblems(message: Json, where: string): string[] {
  const problems: string[] = [];
  if (text(message.content).length > 2000) problems.push(`${where}: content over 2000 characters`);
  const embeds = list(message.embeds).filter(isObject);
  if (embeds.length > 10) problems.push(`${where}: ${embeds.length} embeds (at most 10)`);
  let total = 0;
  for (const embed of embeds) {
    const fields = list(embed.fields).filter(isObject);
    if (fields.length > 25) problems.push(`${where}: ${fields.length} fields (at most 25)`);
    total += text(embed.title).length + text(embed.description).length;
    total += text(isObject(embed.footer) ? embed.footer.text : '').length;
    total += text(isObject(embed.author) ? embed.author.name : '').length;
    for (const field of fields) {
      const name = text(field.name);
      const value = text(field.value);
      if (name.length === 0 || name.length > 256)
        problems.push(`${where}: field name of ${name.length} characters`);
      if (value.length === 0 || value.length > 1024)
        problems.push(`${where}: field "${name}" value of ${value.length} characters`);
      total += name.length + value.length;
    }
  }
  if (total > 6000) problems.push(`${where}: embeds of ${total} characters in all (at most 6000)`);
  problems.push(...componentProblems(list(message.components), where));
  return problems;
}

function componentProblems(rows: unknown[], where: string): string[] {
  const problems: string[] = [];
  if (rows.length > 5) problems.push(`${where}: ${rows.length} action rows (at most 5)`);
  const ids = new Set<string>();
  for (const row of rows.filter(isObject)) {
    const components = list(row.components).filter(isObject);
    if (components.length > 5)
      problems.push(`${where}: a row of ${components.length} components (at most 5)`);
    for (const component of components) {
      const id = component.custom_id;
      if (typeof id === 'string') {
        if (id.length > 100) problems.push(`${where}: custom id "${id}" over 100 characters`);
        if (ids.has(id)) problems.push(`${where}: custom id "${id}" used twice`);
        ids.add(id);
      }
      if (text(component.label).length > 80) problems.push(`${where}: label over 80 characters`);
      const options = list(component.options);
      if (options.length > 25)
        problems.push(`${where}: select menu of ${options.length} options (at most 25)`);
    }
  }
  return problems;
}

/** Rules of an interaction callback the specification does not encode. */
function callbackProblems(callback: Json): string[] {
  const data = isObject(callback.data) ? callback.data : {};
  if (callback.type === 8) {
    const choices = list(data.choices);
    return choices.length > 25 ? [`autocomplete: ${choices.length} choices (at most 25)`] : [];
  }
  if (callback.type === 9) {
    const problems = text(data.title).length > 45 ? ['modal: title over 45 characters'] : [];
    return [...problems, ...componentProblems(list(data.components), 'modal')];
  }
  return messageProblems(data, 'callback');
}

/**
 * Every problem with a request to Discord's API: its body against the operation's request schema in the
 * specification, then the rules the specification leaves out. An empty list means the request is valid.
 */
export function discordRequestProblems(request: DiscordRequest): string[] {
  const method = request.method.toLowerCase();
  const path = request.path.replace(/\?.*$/, '').replace(/^\/api\/v\d+/, '');
  const route = routes.find((r) => r.pattern.test(path) && spec.paths[r.template]?.[method]);
  if (!route) return [`${request.method} ${path}: no such operation in Discord's API`];
  const problems: string[] = [];
  const validate = validatorFor(route.template, method);
  if (validate && !validate(request.body)) {
    problems.push(
      ...(validate.errors ?? []).map(
        (e) => `${request.method} ${route.template}: ${e.instancePath || '/'} ${e.message}`,
      ),
    );
  }
  const body = isObject(request.body) ? request.body : {};
  if (route.template.endsWith('/commands') || route.template.includes('/commands/{command_id}')) {
    for (const command of Array.isArray(request.body) ? request.body.filter(isObject) : [body])
      problems.push(...commandProblems(command));
  } else if (route.template.endsWith('/callback')) problems.push(...callbackProblems(body));
  else if (method !== 'get' && method !== 'delete') problems.push(...messageProblems(body, route.template));
  return problems;
}
