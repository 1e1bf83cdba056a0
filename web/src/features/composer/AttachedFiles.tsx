// The composer's files: an attach button (drag and drop works on the whole composer), and one removable
// chip per file with its upload progress or why it failed.
import { useRef } from 'react';
import { fileSize } from '../../lib/file-size.js';
import type { FileUploads } from './use-file-uploads.js';

export function AttachButton({ uploads, disabled }: { uploads: FileUploads; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button type="button" className="attach-button" disabled={disabled} onClick={() => input.current?.click()}>
        Attach files
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Files to attach"
        onChange={(e) => {
          if (e.target.files) uploads.add(e.target.files);
          e.target.value = '';
        }}
      />
    </>
  );
}

export function AttachedFiles({ uploads }: { uploads: FileUploads }) {
  if (uploads.files.length === 0 && !uploads.refusal) return null;
  return (
    <div className="attached">
      {uploads.files.length > 0 && (
        <ul className="file-chips" aria-label="Attached files">
          {uploads.files.map((file) => (
            <li key={file.key} className={`file-chip file-${file.state}`}>
              <span className="file-name">{file.name}</span>
              <span className="file-size">{fileSize(file.size)}</span>
              {file.state === 'uploading' && <progress max={1} value={file.progress} aria-label={`Uploading ${file.name}`} />}
              {file.state === 'failed' && (
                <span className="file-error" role="alert">
                  Not uploaded: {file.error}
                </span>
              )}
              <button type="button" className="link" aria-label={`Remove ${file.name}`} onClick={() => uploads.remove(file.key)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {uploads.refusal && (
        <p className="refusal" role="note">
          {uploads.refusal}
        </p>
      )}
    </div>
  );
}
