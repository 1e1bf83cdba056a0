// The team: add people (with a one-time password shown once), change roles, deactivate and reactivate.
import { useState, type FormEvent } from 'react';
import { ErrorNote, Loading } from '../../components/Notice.js';
import { get, patch, post } from '../../lib/api.js';
import { useDirectory } from '../../lib/directory.js';
import { useUser } from '../../lib/session.js';
import type { User } from '../../lib/types.js';
import { useLoad } from '../../lib/use-load.js';
import { useAction } from './use-action.js';

export function UsersSettings() {
  const me = useUser();
  const directory = useDirectory();
  const users = useLoad(() => get<{ users: User[] }>('/api/users').then((r) => r.users), 'users');
  const action = useAction();
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const changed = async () => {
    await Promise.all([users.reload(), directory.reload()]);
  };

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const element = event.currentTarget;
    const form = new FormData(element);
    const body = { email: String(form.get('email')), name: String(form.get('name')), role: String(form.get('role')) };
    let answer: { user: User; temporaryPassword?: string } | undefined;
    if (await action.run(async () => (answer = await post<{ user: User; temporaryPassword?: string }>('/api/users', body)))) {
      element.reset();
      setCreated(answer?.temporaryPassword ? { email: answer.user.email, password: answer.temporaryPassword } : null);
      await changed();
    }
  };

  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users and roles</h2>
      <ErrorNote>{users.error ?? action.error}</ErrorNote>
      {!users.data && !users.error && <Loading what="users" />}
      <ul className="settings-list">
        {users.data?.map((user) => (
          <li key={user.id} className="settings-item">
            <div className="item-head">
              <strong>{user.name}</strong>
              <span className="muted">
                {user.email}
                {user.id === me.userId ? ' (you)' : ''}
                {user.active ? '' : ' · deactivated'}
              </span>
              <select aria-label={`Role of ${user.name}`} value={user.role} onChange={(e) => void action.run(() => patch(`/api/users/${user.id}`, { role: e.target.value })).then(changed)}>
                <option value="agent">Agent</option>
                <option value="admin">Admin</option>
              </select>
              <button type="button" onClick={() => void action.run(() => patch(`/api/users/${user.id}`, { active: !user.active })).then(changed)}>
                {user.active ? 'Deactivate' : 'Reactivate'}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {created && (
        <p className="info-note" role="status">
          {created.email} can sign in with the one-time password <code>{created.password}</code>. It is shown only now; pass it on safely.
        </p>
      )}
      <form className="stack new-item" onSubmit={create} aria-labelledby="new-user-title">
        <h3 id="new-user-title">Add a teammate</h3>
        <label>
          Name
          <input name="name" required maxLength={100} />
        </label>
        <label>
          Email
          <input name="email" type="email" required />
        </label>
        <label>
          Role
          <select name="role" defaultValue="agent">
            <option value="agent">Agent</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <button type="submit" className="primary" disabled={action.busy}>
          Add
        </button>
      </form>
    </section>
  );
}
