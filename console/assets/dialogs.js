import { h, replaceChildren } from './dom.js';
import { ApiError } from './api.js';

/**
 * A modal form over the page. `onSubmit(values)` does the work; if it throws, the
 * problem the API answered (title, detail, each field's reason) is shown in the form,
 * next to the field it names, and the dialog stays open. Resolves with onSubmit's
 * result, or null when cancelled.
 *
 * A field: { name, label, type: 'text' | 'email' | 'password' | 'textarea' | 'select',
 *   options: [{ value, label }], required, hint, placeholder, value, autocomplete,
 *   derive: { from, with } — follows another field until the user edits it }.
 */
export function openFormDialog({ title, intro, fields = [], submitLabel, busyLabel, danger = false, canSubmit, onSubmit, testId }) {
  return new Promise((resolve) => {
    const inputs = new Map();
    const fieldErrors = new Map();
    const edited = new Set();

    const control = (field) => {
      const common = {
        id: `field-${field.name}`,
        name: field.name,
        required: field.required,
        placeholder: field.placeholder,
        autocomplete: field.autocomplete ?? 'off',
        spellcheck: 'false',
        'aria-describedby': `field-${field.name}-hint field-${field.name}-error`,
      };
      if (field.type === 'textarea') return h('textarea', { ...common, rows: 3 }, field.value ?? '');
      if (field.type === 'select') {
        return h('select', common, (field.options ?? []).map((o) => h('option', { value: o.value, selected: o.value === field.value }, o.label)));
      }
      return h('input', { ...common, type: field.type ?? 'text', value: field.value ?? '' });
    };

    const fieldNodes = fields.map((field) => {
      const input = control(field);
      inputs.set(field.name, input);
      const error = h('span', { className: 'field-error', id: `field-${field.name}-error`, role: 'alert' });
      fieldErrors.set(field.name, error);
      return h(
        'div',
        { className: 'field' },
        h('label', { className: 'field-label', for: input.id }, field.label),
        input,
        field.hint ? h('span', { className: 'field-hint', id: `field-${field.name}-hint` }, field.hint) : null,
        error,
      );
    });

    const values = () => Object.fromEntries([...inputs].map(([name, input]) => [name, input.value]));
    const problemBox = h('div', { className: 'form-problem', role: 'alert', hidden: true, 'data-testid': 'form-problem' });
    const submit = h('button', { type: 'submit', className: `button ${danger ? 'button-danger' : 'button-primary'}` }, submitLabel);
    const cancel = h('button', { type: 'button', className: 'button button-secondary' }, 'Cancel');
    const form = h(
      'form',
      { className: 'dialog-form', novalidate: true },
      h('header', { className: 'dialog-header' }, h('h2', {}, title)),
      intro ? h('div', { className: 'dialog-intro' }, intro) : null,
      fieldNodes,
      problemBox,
      h('footer', { className: 'dialog-footer' }, cancel, submit),
    );
    const dialog = h('dialog', { className: `dialog${danger ? ' dialog-danger' : ''}`, 'data-testid': testId, 'aria-label': title }, form);

    const refresh = () => {
      submit.disabled = canSubmit ? !canSubmit(values()) : false;
    };
    const clearProblems = () => {
      problemBox.hidden = true;
      replaceChildren(problemBox);
      for (const [name, el] of fieldErrors) {
        el.textContent = '';
        inputs.get(name)?.removeAttribute('aria-invalid');
      }
    };
    const showProblem = (err) => {
      const problem = err instanceof ApiError ? err.problem : { title: 'Something went wrong', detail: String(err?.message ?? err) };
      const unplaced = [];
      for (const e of problem.errors ?? []) {
        const slot = fieldErrors.get(e.field);
        if (slot) {
          slot.textContent = slot.textContent ? `${slot.textContent}; ${e.reason}` : e.reason;
          inputs.get(e.field)?.setAttribute('aria-invalid', 'true');
        } else unplaced.push(e);
      }
      replaceChildren(
        problemBox,
        h('strong', { className: 'form-problem-title' }, problem.title ?? 'Request failed'),
        problem.detail ? h('p', { className: 'form-problem-detail' }, problem.detail) : null,
        unplaced.length ? h('ul', {}, unplaced.map((e) => h('li', {}, `${e.field}: ${e.reason}`))) : null,
      );
      problemBox.hidden = false;
    };

    for (const field of fields) {
      const input = inputs.get(field.name);
      input.addEventListener('input', () => {
        edited.add(field.name);
        for (const follower of fields.filter((f) => f.derive?.from === field.name && !edited.has(f.name))) {
          inputs.get(follower.name).value = follower.derive.with(input.value);
        }
        refresh();
      });
    }

    let settled = false;
    const finish = (result) => {
      if (settled) return;
      settled = true;
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(result);
    };
    cancel.addEventListener('click', () => finish(null));
    dialog.addEventListener('close', () => finish(null));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      clearProblems();
      submit.disabled = true;
      cancel.disabled = true;
      const label = submit.textContent;
      submit.textContent = busyLabel ?? 'Working…';
      form.setAttribute('aria-busy', 'true');
      try {
        finish(await onSubmit(values()));
      } catch (err) {
        showProblem(err);
        submit.textContent = label;
        cancel.disabled = false;
        form.removeAttribute('aria-busy');
        refresh();
      }
    });

    document.body.append(dialog);
    refresh();
    dialog.showModal();
    (fields.length ? inputs.get(fields[0].name) : submit).focus();
  });
}
