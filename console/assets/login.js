import { api } from './api.js';

/** Where to go after signing in: only a path on this origin, never another site. */
function nextPath() {
  const next = new URLSearchParams(location.search).get('next') ?? '/';
  return next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

const form = document.getElementById('login-form');
const problem = document.getElementById('login-problem');
const submit = form.querySelector('button[type=submit]');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  problem.hidden = true;
  submit.disabled = true;
  submit.textContent = 'Signing in…';
  try {
    await api('POST', '/v1/session', { email: form.email.value.trim(), password: form.password.value });
    location.assign(nextPath());
  } catch (err) {
    problem.textContent = err.status === 401 ? 'Wrong email or password.' : err.message;
    problem.hidden = false;
    form.password.value = '';
    form.password.focus();
    submit.disabled = false;
    submit.textContent = 'Sign in';
  }
});
