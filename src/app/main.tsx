import { render } from 'preact';
import { registerServiceWorker } from '../pwa/register';
import { App } from './App';
import './styles.css';

const serviceWorker = import.meta.env.PROD ? registerServiceWorker() : undefined;
render(<App serviceWorker={serviceWorker} />, document.getElementById('app')!);
