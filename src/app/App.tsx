import { useEffect, useRef, useState } from 'preact/hooks';
import type { DriveInfo } from '../shared/protocol';
import { loadDrive, loadEnrollment, loadVolunteer, type Enrollment } from '../storage/settings';
import { startAutoSync, type AutoSync } from '../sync/scheduler';
import type { ServiceWorkerHandle } from '../pwa/register';
import { lazyScreen } from './components/Lazy';
import { StatusBar } from './components/StatusBar';
import { UpdateBanner } from './components/UpdateBanner';
import { go, useRoute } from './hooks/useRoute';
import { CaptureScreen } from './screens/CaptureScreen';
import { EnrollScreen } from './screens/EnrollScreen';

// Screens the volunteer opens now and then load on first use: the first load is the signer form.
const occasional = () => import('./screens/occasional');
const TodayScreen = lazyScreen(() => occasional().then((m) => m.TodayScreen));
const DeviceScreen = lazyScreen(() => occasional().then((m) => m.DeviceScreen));
const ShiftScreen = lazyScreen(() => occasional().then((m) => m.ShiftScreen));

interface Device {
  enrollment: Enrollment;
  drive: DriveInfo;
  volunteer: string;
}

/** What the app needs to open: read from the device's storage. */
export type DeviceState = Promise<Device | null>;

/**
 * What index.html read of the settings while the app's script loaded (null where it could not, e.g.
 * on a first visit, when there is no store yet). In a freshly started browser, opening IndexedDB is
 * the slowest step before the signer form; begun by the page itself, it overlaps loading the script
 * (the form about 35 ms sooner, median of 12 alternated offline relaunches each way). The inline
 * script reads idb-keyval's store of src/storage/settings.ts: database 'fieldpen-settings', store
 * 'settings', keys as SETTINGS_KEYS names them (tests/unit/volunteer-build.test.ts holds them equal).
 */
export interface EarlySettings {
  enrollment?: Enrollment;
  drive?: DriveInfo;
  volunteer?: string;
}

export const readDevice = async (early?: Promise<EarlySettings | null>): DeviceState => {
  const found = await early?.catch(() => null);
  const [enrollment, drive, volunteer] = found
    ? [found.enrollment, found.drive, found.volunteer]
    : await Promise.all([loadEnrollment(), loadDrive(), loadVolunteer()]);
  return enrollment && drive ? { enrollment, drive, volunteer: volunteer ?? '' } : null;
};

export function App({ serviceWorker, boot }: { serviceWorker?: ServiceWorkerHandle; boot?: DeviceState }) {
  const [device, setDevice] = useState<Device | null>();
  const [dirty, setDirty] = useState(false);
  /** A drive changed on the server, shown once the form is empty: a signer sees one petition from start to save. */
  const [changedDrive, setChangedDrive] = useState<DriveInfo>();
  const route = useRoute();
  const sync = useRef<AutoSync>(undefined);
  /** Set by enrolling: the enrollment was this tablet's report, so the first sync waits for a trigger. */
  const justEnrolled = useRef(false);

  async function load(reading: DeviceState = readDevice()) {
    setDevice(await reading);
  }

  useEffect(() => void load(boot), []);

  useEffect(() => {
    if (!device) return;
    sync.current = startAutoSync(__APP_VERSION__, { onDrive: setChangedDrive, syncAtStart: !justEnrolled.current });
    return () => sync.current?.stop();
  }, [device?.enrollment.deviceId]);

  useEffect(() => {
    if (!changedDrive || dirty || !device) return;
    setDevice({ ...device, drive: changedDrive });
    setChangedDrive(undefined);
  }, [changedDrive, dirty]);

  if (device === undefined) return null; // reading the device's own storage: a few milliseconds
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
