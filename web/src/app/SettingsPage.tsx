// Settings: every section for admins; agents see only their own API tokens, and read a channel's comment
// rules (reached from an automatic comment answer in a ticket).
import { NavLink, Navigate, Route, Routes } from 'react-router';
import { AutoCloseSettings } from '../features/settings/AutoCloseSettings.js';
import { ChannelsSettings } from '../features/settings/ChannelsSettings.js';
import { CommentRulesSettings } from '../features/settings/CommentRulesSettings.js';
import { HeldMailSettings } from '../features/settings/HeldMailSettings.js';
import { TemplatesSettings } from '../features/settings/TemplatesSettings.js';
import { TokensSettings } from '../features/settings/TokensSettings.js';
import { UsersSettings } from '../features/settings/UsersSettings.js';
import { WebhooksSettings } from '../features/settings/WebhooksSettings.js';
import { useUser } from '../lib/session.js';

const ADMIN_SECTIONS = [
  ['channels', 'Channels', <ChannelsSettings />],
  ['held-mail', 'Held mail', <HeldMailSettings />],
  ['templates', 'Templates', <TemplatesSettings />],
  ['auto-close', 'Auto-close rules', <AutoCloseSettings />],
  ['users', 'Users', <UsersSettings />],
  ['webhooks', 'Webhooks', <WebhooksSettings />],
] as const;

export function SettingsPage() {
  const admin = useUser().role === 'admin';
  const sections = [...(admin ? ADMIN_SECTIONS : []), ['tokens', 'API tokens', <TokensSettings />] as const];
  return (
    <div className="settings">
      <nav className="settings-nav" aria-label="Settings">
        {sections.map(([path, label]) => (
          <NavLink key={path} to={`/settings/${path}`}>
            {label}
          </NavLink>
        ))}
      </nav>
      <div className="settings-body">
        <Routes>
          {sections.map(([path, , element]) => (
            <Route key={path} path={path} element={element} />
          ))}
          {/* Everyone reads a channel's comment rules; only admins change them (the page knows). */}
          <Route path="channels/:channelId/comment-rules" element={<CommentRulesSettings />} />
          {/* Absolute: relative to this catch-all, "tokens" would grow the address itself (/settings/channels/tokens/…). */}
          <Route path="*" element={<Navigate to={admin ? '/settings/channels' : '/settings/tokens'} replace />} />
        </Routes>
      </div>
    </div>
  );
}
