import { render } from 'preact';
import { watchInstall } from '../pwa/install';
import { registerServiceWorker } from '../pwa/register';
import { readBootCopy } from '../storage/settings';
import { App, bootDevice } from './App';
import './styles.css';

// index.html read the boot copy (src/storage/settings.ts) before this script loaded: the signer
// form opens from it without waiting for IndexedDB, which is slow to open in a freshly started browser.
const boot = bootDevice(readBootCopy((window as { __bootCopy?: string | null }).__bootCopy));
watchInstall();
const serviceWorker = import.meta.env.PROD ? registerServiceWorker() : undefined;
render(<App serviceWorker={serviceWorker} boot={boot} />, document.getElementById('app')!);
