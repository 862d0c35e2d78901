import { promptInstall } from '../../pwa/install';
import { useInstall } from '../hooks/useInstall';
import { MESSAGES } from '../messages';
import { SCREEN_MESSAGES } from '../screen-messages';

/** The browser's own install prompt where there is one; the steps on iPad and iPhone, which have none. */
export function InstallGuide() {
  const install = useInstall();
  return (
    <section class="card" aria-labelledby="install-title">
      <h2 id="install-title">{MESSAGES.installTitle}</h2>
      {install === 'installed' && <p>{SCREEN_MESSAGES.installDone}</p>}
      {install === 'prompt' && (
        <button type="button" class="button button--primary" onClick={() => void promptInstall()}>
          {MESSAGES.installButton}
        </button>
      )}
      {install === 'ios' && (
        <ol class="steps">
          {SCREEN_MESSAGES.installIosSteps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      )}
      {install === 'manual' && <p>{SCREEN_MESSAGES.installManual}</p>}
    </section>
  );
}
