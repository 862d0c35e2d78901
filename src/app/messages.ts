// Volunteer-facing text, in English (signer-facing text is in i18n/, one catalog per language).
// Keeping every string here means components never hold text of their own.
export const MESSAGES = {
  enrollTitle: 'Set up this tablet',
  enrollIntro: 'Enter the enrollment code your canvassing lead gave you. You need a connection for this step only.',
  enrollCode: 'Enrollment code',
  volunteerName: 'Your name (volunteer)',
  deviceName: 'Tablet name (optional)',
  enrollButton: 'Enroll this tablet',
  enrolling: 'Enrolling…',
  enrollFailed: 'Enrollment failed. Check the code and try again.',
  /** The server, in one word (serverState in src/sync/sync-status.ts). */
  server: { online: 'Online', offline: 'Offline', trouble: 'Server problem', stopped: 'Sync stopped', unknown: 'Not synced yet' },
  /** What is safe on the tablet, what waits, and what the server holds: one line beside the server's state. */
  statement: (s: { saved: number; waiting: number; rejected: number; receipt?: { received: number; code: string } }) =>
    [
      `${s.saved} saved on this tablet`,
      s.waiting > 0 ? `${s.waiting} waiting to send` : s.saved > 0 ? 'none waiting' : '',
      s.rejected > 0 ? `${s.rejected} rejected (see Today)` : '',
      s.receipt ? `${s.receipt.received} confirmed by server · receipt ${s.receipt.code}` : '',
    ]
      .filter(Boolean)
      .join(' · '),
  syncNow: 'Sync now',
  syncing: 'Syncing…',
  lastSync: (time: string) => `Last sync ${time}`,
  updateReady: 'A new version of Fieldpen is ready.',
  updateNow: 'Update now',
  updateAfterForm: 'It will be offered again when the form is empty.',
  volunteerLabel: (name: string) => `Volunteer: ${name}`,
  changeVolunteer: 'Change',
  nav: 'Screens',
  navSign: 'Sign',
  navToday: 'Today',
  navDevice: 'Device',
  loadingScreen: 'Opening…',
  screenFailed: 'This screen could not open. Reload the app; your signatures are safe on the tablet.',

  installTitle: 'Install Fieldpen',
  installButton: 'Install Fieldpen',
} as const;
