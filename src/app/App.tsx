import { useEffect, useRef, useState } from 'preact/hooks';
import type { DriveInfo } from '../shared/protocol';
import { loadDrive, loadEnrollment, loadVolunteer, withoutToken, writeBootCopy, type BootCopy, type DeviceEnrollment } from '../storage/settings';
import { startAutoSync, type AutoSync } from '../sync/scheduler';
import type { ServiceWorkerHandle } from '../pwa/register';
import { lazyScreen } from './components/Lazy';
import { StatusBar } from './components/StatusBar';
import { UpdateBanner } from './components/UpdateBanner';
import { go, useRoute } from './hooks/useRoute';
import { CaptureScreen } from './screens/CaptureScreen';

// Screens the volunteer opens now and then load on first use: the first load is the signer form.
const occasional = () => import('./screens/occasional');
const TodayScreen = lazyScreen(() => occasional().then((m) => m.TodayScreen));
const DeviceScreen = lazyScreen(() => occasional().then((m) => m.DeviceScreen));
const ShiftScreen = lazyScreen(() => occasional().then((m) => m.ShiftScreen));
// Once in a tablet's life: not part of the first load an enrolled tablet opens with at every door.
const EnrollScreen = lazyScreen(() => import('./screens/EnrollScreen').then((m) => m.EnrollScreen));

interface Device {
  enrollment: DeviceEnrollment;
  drive: DriveInfo;
  volunteer: string;
}

/** The device as its settings in IndexedDB (the record) have it; null when it is not enrolled. */
export async function readDevice(): Promise<Device | null> {
  const [enrollment, drive, volunteer] = await Promise.all([loadEnrollment(), loadDrive(), loadVolunteer()]);
  return enrollment && drive ? { enrollment: withoutToken(enrollment), drive, volunteer: volunteer ?? '' } : null;
}

/**
 * The device as the boot copy has it (src/storage/settings.ts), at once: the signer form opens
 * without waiting for IndexedDB. Undefined when there is no complete copy (a first visit, or the
 * first start of a version that did not keep one): the app then waits for IndexedDB.
 */
export function bootDevice(copy: BootCopy | undefined): Device | undefined {
  return copy?.enrollment && copy.drive ? { enrollment: copy.enrollment, drive: copy.drive, volunteer: copy.volunteer ?? '' } : undefined;
}

const sameDevice = (a: Device | null | undefined, b: Device | null | undefined) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function App({ serviceWorker, boot }: { serviceWorker?: ServiceWorkerHandle; boot?: Device }) {
  const [device, setDevice] = useState<Device | null | undefined>(boot);
  const [dirty, setDirty] = useState(false);
  /** A drive changed on the server, shown once the form is empty: a signer sees one petition from start to save. */
  const [changedDrive, setChangedDrive] = useState<DriveInfo>();
  const route = useRoute();
  const sync = useRef<AutoSync>(undefined);
  /** Set by enrolling: the enrollment was this tablet's report, so the first sync waits for a trigger. */
  const justEnrolled = useRef(false);

  async function load() {
    setDevice(await readDevice());
  }

  // IndexedDB is the record: where it differs from the boot copy the form opened with (or there was
  // none), it wins, and the copy is written again.
  useEffect(() => {
    void readDevice().then((stored) => {
      if (boot && sameDevice(stored, boot)) return;
      setDevice(stored);
      if (stored || boot) writeBootCopy(stored ?? {});
    });
  }, []);

  useEffect(() => {
    if (!device) return;
    sync.current = startAutoSync(__APP_VERSION__, { onDrive: setChangedDrive, syncAtStart: !justEnrolled.current });
    // Confirmed signers' details leave the tablet when their time has passed (src/storage/purge.ts),
    // offline too: at start, on becoming visible, every few minutes (the app never unmounts).
    void import('../storage/purge').then((m) => m.startPurgeSchedule());
    return () => sync.current?.stop();
  }, [device?.enrollment.deviceId]);

  useEffect(() => {
    if (!changedDrive || dirty || !device) return;
    setDevice({ ...device, drive: changedDrive });
    setChangedDrive(undefined);
  }, [changedDrive, dirty]);

  if (device === undefined) return null; // no boot copy: reading the settings from IndexedDB
  if (device === null)
    return (
      <EnrollScreen
        onEnrolled={() => {
          justEnrolled.current = true;
          void load();
        }}
      />
    );
  // No signature without a volunteer's name on it.
  const screen = route === 'shift' || device.volunteer === '' ? 'shift' : route;
  return (
    <>
      <StatusBar route={screen} onSyncNow={() => void sync.current?.syncNow()} />
      {serviceWorker && <UpdateBanner serviceWorker={serviceWorker} formInProgress={dirty} />}
      {screen === 'sign' && <CaptureScreen enrollment={device.enrollment} drive={device.drive} volunteer={device.volunteer} onDirty={setDirty} />}
      {screen === 'today' && <TodayScreen />}
      {screen === 'device' && <DeviceScreen enrollment={device.enrollment} drive={device.drive} />}
      {screen === 'shift' && (
        <ShiftScreen
          roster={device.drive.roster ?? []}
          current={device.volunteer}
          onStarted={(volunteer) => {
            setDevice({ ...device, volunteer });
            go('sign');
          }}
        />
      )}
    </>
  );
}
