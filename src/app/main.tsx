import { render } from 'preact';
import { watchInstall } from '../pwa/install';
import { registerServiceWorker } from '../pwa/register';
import { App } from './App';
import './styles.css';

watchInstall();
const serviceWorker = import.meta.env.PROD ? registerServiceWorker() : undefined;
render(<App serviceWorker={serviceWorker} />, document.getElementById('app')!);
