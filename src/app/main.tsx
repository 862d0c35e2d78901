import { render } from 'preact';
import { watchInstall } from '../pwa/install';
import { registerServiceWorker } from '../pwa/register';
import { App, readDevice } from './App';
import './styles.css';

// Start reading the device's storage before anything else: opening IndexedDB in a freshly started
// browser is the slowest step between a tap on the icon and a form ready for the signer.
const boot = readDevice();
watchInstall();
const serviceWorker = import.meta.env.PROD ? registerServiceWorker() : undefined;
render(<App serviceWorker={serviceWorker} boot={boot} />, document.getElementById('app')!);
