import { render } from 'preact';
import { LeadApp } from './LeadApp';
import './lead.css';

render(<LeadApp />, document.getElementById('lead')!);
