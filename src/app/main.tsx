import { render } from 'preact';
import { watchInstall } from '../pwa/install';
import { registerServiceWorker } from '../pwa/register';
import { App, readDevice, type EarlySettings } from './App';
import './styles.css';

// index.html started reading the device's settings before this script loaded: opening IndexedDB
// in a freshly started browser is the slowest step between a tap on the icon and a form ready.
const boot = readDevice((window as { __settingsRead?: Promise<EarlySettings | null> }).__settingsRead);
watchInstall();
const serviceWorker = import.meta.env.PROD ? registerServiceWorker() : undefined;
render(<App serviceWorker={serviceWorker} boot={boot} />, document.getElementById('app')!);
