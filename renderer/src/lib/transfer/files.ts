/** Saving a file the backend made and reading one the learner picked, the same way in both transports. */
import type { ApiClient } from '../api/client.ts';

/** Electron: the system's save dialog (through the backend). Browser: a download. Returns where it went, or null if cancelled. */
export async function saveText(client: ApiClient, fileName: string, text: string): Promise<string | null> {
  if (client.transport === 'electron') {
    const saved = await client.call('files.save', { fileName, text });
    return saved.path;
  }
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return fileName;
}

/** A picked folder's files by path inside it (the picker prefixes each with the folder's own name). */
export async function folderFiles(list: FileList): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const file of Array.from(list)) files[file.webkitRelativePath || file.name] = await file.text();
  return files;
}
