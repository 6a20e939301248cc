/** The settings form of a service, generated from its configuration schema, with inline errors. */
import { ApiError, api } from './api.js';
import { h, setText } from './dom.js';
import { formatValue } from './format.js';
import { announce, errorBox, toast } from './notify.js';
import {
  buildFormModel,
  collectSubmission,
  constraintHint,
  type FormField,
  mapFieldProblems,
  parseRaw,
  type RawValue,
} from './schema-form.js';
import type { ConfigUpdateResult, ConfigView } from './types.js';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface ConfigEditor {
  readonly element: HTMLElement;
  load(): Promise<void>;
  /** Someone (anyone) changed the settings: re-fetch, and say so when the form has edits. */
  remoteChange(): Promise<void>;
}

const controlId = (key: string): string => `cfg-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export function configEditor(serviceId: string, onSaved: () => void): ConfigEditor {
  const base = `/api/services/${encodeURIComponent(serviceId)}/config`;
  const element = h('div', { class: 'config-editor' }, h('p', { class: 'muted' }, 'Loading settings…'));
  let view: ConfigView | null = null;
  let fields: FormField[] = [];
  const controls = new Map<string, Control>();
  const errors = new Map<string, HTMLElement>();
  let general: HTMLElement = h('div');
  let notice: HTMLElement = h('div');
  let saving = false;

  const rawOf = (field: FormField, control: Control): RawValue =>
    field.kind === 'boolean' && control instanceof HTMLInputElement ? control.checked : control.value;

  const raws = (): Map<string, RawValue> => {
    const out = new Map<string, RawValue>();
    for (const field of fields) {
      const control = controls.get(field.key);
      if (control) out.set(field.key, rawOf(field, control));
    }
    return out;
  };

  const dirty = (): boolean =>
    fields.some((f) => {
      const control = controls.get(f.key);
      return control !== undefined && rawOf(f, control) !== f.initial;
    });

  function setError(key: string, message: string | null): void {
    const box = errors.get(key);
    const control = controls.get(key);
    if (!box || !control) return;
    setText(box, message ?? '');
    box.hidden = message === null;
    if (message === null) control.removeAttribute('aria-invalid');
    else control.setAttribute('aria-invalid', 'true');
  }

  function showGeneral(messages: readonly string[], hint?: string | null): void {
    general.replaceChildren(
      ...(messages.length === 0
        ? []
        : [
            h('p', { class: 'error-message' }, messages.join(' ')),
            hint ? h('p', { class: 'error-hint' }, hint) : null,
          ].filter((n): n is HTMLParagraphElement => n !== null)),
    );
    general.hidden = messages.length === 0;
  }

  function showNotice(content: HTMLElement[] | null): void {
    notice.replaceChildren(...(content ?? []));
    notice.hidden = content === null;
  }

  function focusFirstError(): void {
    for (const field of fields) {
      const box = errors.get(field.key);
      if (box && !box.hidden) {
        controls.get(field.key)?.focus();
        return;
      }
    }
  }

  function fieldControl(field: FormField): Control {
    const id = controlId(field.key);
    const describedBy = `${id}-help ${id}-error`;
    const common = {
      id,
      name: field.key,
      'aria-describedby': describedBy,
      required: field.required && !field.secret,
    };
    switch (field.kind) {
      case 'boolean':
        return h('input', {
          ...common,
          type: 'checkbox',
          class: 'checkbox',
          checked: field.initial === true,
        });
      case 'enum': {
        const select = h(
          'select',
          { ...common, class: 'input' },
          field.required ? null : h('option', { value: '' }, '(not set)'),
          field.options.map((option) =>
            h(
              'option',
              { value: JSON.stringify(option) },
              typeof option === 'string' ? option : JSON.stringify(option),
            ),
          ),
        );
        if (field.required && field.initial === '') select.prepend(h('option', { value: '' }, '(choose)'));
        select.value = String(field.initial);
        return select;
      }
      case 'json':
        return h('textarea', {
          ...common,
          class: 'input mono',
          rows: Math.min(10, Math.max(3, String(field.initial).split('\n').length)),
          spellcheck: 'false',
          value: String(field.initial),
        });
      default: {
        if (field.secret) {
          return h('input', {
            ...common,
            type: 'password',
            class: 'input',
            autocomplete: 'new-password',
            placeholder: field.hasValue ? 'unchanged' : 'not set',
            value: '',
          });
        }
        const numeric = field.kind === 'integer' || field.kind === 'number';
        return h('input', {
          ...common,
          type: 'text',
          class: `input${numeric ? ' num' : ''}`,
          inputmode: field.kind === 'integer' ? 'numeric' : field.kind === 'number' ? 'decimal' : null,
          autocomplete: 'off',
          spellcheck: 'false',
          value: String(field.initial),
        });
      }
    }
  }

  function sourceNote(field: FormField): string | null {
    switch (field.source) {
      case 'env':
        return `Set by the environment variable ${field.envVar ?? ''}; a stored value only applies once it is removed.`;
      case 'default':
        return 'Using the default.';
      case 'unset':
        return 'Not set.';
      default:
        return null;
    }
  }

  function renderField(field: FormField): HTMLElement {
    const id = controlId(field.key);
    const control = fieldControl(field);
    controls.set(field.key, control);
    const error = h('p', {
      class: 'field-error',
      id: `${id}-error`,
      'data-testid': `config-error-${field.key}`,
      hidden: true,
    });
    errors.set(field.key, error);
    const check = (): void => {
      const raw = rawOf(field, control);
      if (raw === field.initial || (field.secret && raw === '')) {
        setError(field.key, null);
        return;
      }
      const parsed = parseRaw(field, raw);
      setError(field.key, parsed.ok ? null : parsed.error);
    };
    control.addEventListener('change', check);
    control.addEventListener('blur', check);
    control.addEventListener('input', () => {
      if (!errors.get(field.key)?.hidden) check();
    });
    const help = [field.description, constraintHint(field), sourceNote(field)].filter(Boolean).join(' · ');
    const label = h(
      'label',
      { for: id },
      field.label,
      field.required ? h('span', { class: 'required', 'aria-label': ' (required)' }, ' *') : null,
      field.label !== field.key ? h('code', { class: 'field-key' }, field.key) : null,
      field.secret ? h('span', { class: 'chip' }, 'secret') : null,
      field.declared ? null : h('span', { class: 'chip' }, 'not in schema'),
    );
    return h(
      'div',
      { class: `form-field kind-${field.kind}`, 'data-testid': `config-field-${field.key}` },
      field.kind === 'boolean' ? h('div', { class: 'checkbox-row' }, control, label) : [label, control],
      h('p', { class: 'field-help', id: `${id}-help` }, help),
      error,
    );
  }

  function render(next: ConfigView): void {
    view = next;
    fields = buildFormModel(next);
    controls.clear();
    errors.clear();
    general = h('div', { class: 'error-box', role: 'alert', hidden: true, 'data-testid': 'config-error' });
    notice = h('div', { class: 'notice', role: 'status', hidden: true, 'data-testid': 'config-notice' });
    const save = h(
      'button',
      { type: 'submit', class: 'button primary', 'data-testid': 'config-save' },
      'Save settings',
    );
    const form = h(
      'form',
      {
        class: 'config-form',
        novalidate: true,
        'data-testid': 'config-form',
        'aria-labelledby': 'config-title',
      },
      h(
        'p',
        { class: 'muted config-meta' },
        `Version ${next.version} · ${next.liveConfig ? 'applies immediately' : 'applies on restart'}`,
        next.pendingRestart ? h('span', { class: 'chip warn' }, 'restart pending') : null,
      ),
      next.problems.length > 0
        ? h(
            'div',
            { class: 'notice warn' },
            h('p', null, 'The current settings have problems:'),
            h(
              'ul',
              null,
              next.problems.map((p) => h('li', null, `${p.path || '/'} ${p.message}`)),
            ),
          )
        : null,
      notice,
      general,
      fields.length === 0
        ? h('p', { class: 'muted' }, 'This service has no settings.')
        : fields.map(renderField),
      fields.length === 0
        ? null
        : h(
            'div',
            { class: 'form-actions' },
            save,
            h(
              'button',
              { type: 'button', class: 'button secondary', onClick: () => render(next) },
              'Discard changes',
            ),
          ),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void submit(save);
    });
    element.replaceChildren(form);
  }

  async function submit(button: HTMLButtonElement): Promise<void> {
    if (!view || saving) return;
    showGeneral([]);
    for (const field of fields) setError(field.key, null);
    const submission = collectSubmission(fields, raws());
    const invalid = Object.entries(submission.errors);
    if (invalid.length > 0) {
      for (const [key, message] of invalid) setError(key, message);
      announce(`${invalid.length} ${invalid.length === 1 ? 'setting needs' : 'settings need'} attention.`);
      focusFirstError();
      return;
    }
    if (Object.keys(submission.values).length === 0) {
      toast('Nothing to save: no setting was changed.');
      return;
    }
    saving = true;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const result = await api.patch<ConfigUpdateResult>(base, {
        values: submission.values,
        expectedVersion: view.version,
      });
      toast(
        `Settings saved as version ${result.version}`,
        'success',
        result.changes.length > 0
          ? result.changes.map((c) => `${c.key}: ${formatValue(c.from)} → ${formatValue(c.to)}`).join(' · ')
          : null,
      );
      render(await api.get<ConfigView>(base));
      onSaved();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'SD_ERR_CONFIG_CONFLICT') {
        await load();
        showNotice([
          h(
            'p',
            null,
            'Someone else saved these settings meanwhile. The form now shows their version; make your change again.',
          ),
        ]);
        onSaved();
      } else if (error instanceof ApiError && error.info.fields.length > 0) {
        const mapped = mapFieldProblems(
          error.info.fields,
          fields.map((f) => f.key),
        );
        for (const [key, message] of Object.entries(mapped.byKey)) setError(key, message);
        const inline = Object.keys(mapped.byKey).length;
        if (inline === 0) showGeneral([error.info.message], error.info.hint);
        else if (mapped.general.length > 0) showGeneral(mapped.general, error.info.hint);
        announce('The settings were not saved: some need attention.');
        focusFirstError();
      } else if (error instanceof ApiError) {
        showGeneral([error.info.message], error.info.hint);
      } else throw error;
    } finally {
      saving = false;
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  async function load(): Promise<void> {
    try {
      render(await api.get<ConfigView>(base));
    } catch (error) {
      element.replaceChildren(errorBox(error, () => void load()));
    }
  }

  async function remoteChange(): Promise<void> {
    if (saving) return;
    let fresh: ConfigView;
    try {
      fresh = await api.get<ConfigView>(base);
    } catch {
      return;
    }
    if (view && fresh.version === view.version) return;
    if (view && dirty()) {
      showNotice([
        h(
          'p',
          null,
          h('strong', null, 'Settings changed by someone else'),
          ` (now version ${fresh.version}). Saving your edits will be refused as a conflict.`,
        ),
        h(
          'button',
          { type: 'button', class: 'button secondary', onClick: () => render(fresh) },
          'Load their version (discards your edits)',
        ),
      ]);
      announce('Settings changed by someone else while you were editing.');
    } else {
      render(fresh);
      showNotice([h('p', null, `Settings changed by someone else; showing version ${fresh.version}.`)]);
    }
  }

  return { element, load, remoteChange };
}
