import { useEffect, useRef, useState } from 'preact/hooks';
import type { DriveInfo } from '../shared/protocol';
import { loadDrive, loadEnrollment, loadVolunteer, type Enrollment } from '../storage/settings';
import { startAutoSync, type AutoSync } from '../sync/scheduler';
import type { ServiceWorkerHandle } from '../pwa/register';
import { StatusBar } from './components/StatusBar';
import { UpdateBanner } from './components/UpdateBanner';
import { CaptureScreen } from './screens/CaptureScreen';
import { EnrollScreen } from './screens/EnrollScreen';

interface Device {
  enrollment: Enrollment;
  drive: DriveInfo;
  volunteer: string;
}

export function App({ serviceWorker }: { serviceWorker?: ServiceWorkerHandle }) {
  const [device, setDevice] = useState<Device | null>();
  const [dirty, setDirty] = useState(false);
  const sync = useRef<AutoSync>(undefined);

  async function load() {
    const [enrollment, drive, volunteer] = await Promise.all([loadEnrollment(), loadDrive(), loadVolunteer()]);
    setDevice(enrollment && drive ? { enrollment, drive, volunteer: volunteer ?? '' } : null);
  }

  useEffect(() => void load(), []);

  useEffect(() => {
    if (!device) return;
    sync.current = startAutoSync(__APP_VERSION__);
    return () => sync.current?.stop();
  }, [device?.enrollment.deviceId]);

  if (device === undefined) return null; // reading the device's own storage: a few milliseconds
  if (device === null) return <EnrollScreen onEnrolled={() => void load()} />;
  return (
    <>
      <StatusBar onSyncNow={() => void sync.current?.syncNow()} />
      {serviceWorker && <UpdateBanner serviceWorker={serviceWorker} formInProgress={dirty} />}
      <CaptureScreen enrollment={device.enrollment} drive={device.drive} volunteer={device.volunteer} onDirty={setDirty} />
    </>
  );
}
