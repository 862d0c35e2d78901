// Installing Fieldpen to the home screen. Installed, its storage is kept: Safari deletes the storage
// of a site not used for 7 days unless it is on the home screen. Chromium offers a prompt
// (beforeinstallprompt); iPadOS has none, so the volunteer gets the steps instead.

interface BeforeInstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

export type InstallState = 'installed' | 'prompt' | 'ios' | 'manual';

let deferred: BeforeInstallPromptEvent | undefined;
let justInstalled = false;
const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());

/** Call once, early: the browser fires beforeinstallprompt soon after load, and only once. */
export function watchInstall(): void {
  window.addEventListener('beforeinstallprompt', (e) => {
    e.preventDefault(); // offered from the app's own button, not a banner over the signer form
    deferred = e as BeforeInstallPromptEvent;
    notify();
  });
  window.addEventListener('appinstalled', () => {
    deferred = undefined;
    justInstalled = true;
    notify();
  });
}

export function isInstalled(): boolean {
  return justInstalled || matchMedia('(display-mode: standalone)').matches || (navigator as { standalone?: boolean }).standalone === true;
}

/** iPhone, and iPad, which calls itself a Mac but has a touch screen. */
const isAppleMobile = () => /iPad|iPhone|iPod/.test(navigator.userAgent) || (/Macintosh/.test(navigator.userAgent) && navigator.maxTouchPoints > 1);

export function installState(): InstallState {
  if (isInstalled()) return 'installed';
  if (deferred) return 'prompt';
  return isAppleMobile() ? 'ios' : 'manual';
}

/** Show the browser's own install dialog; true when the volunteer accepted. */
export async function promptInstall(): Promise<boolean> {
  const event = deferred;
  if (!event) return false;
  deferred = undefined;
  await event.prompt();
  const { outcome } = await event.userChoice;
  notify();
  return outcome === 'accepted';
}

export function subscribeInstall(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
