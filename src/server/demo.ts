// The demo drive a fresh server starts with, so `npm start` is enough to enroll a tablet and try a
// signature. The petition is our own text, in every language the app ships.
import type { Kysely } from 'kysely';
import { createDrive, hasAnyDrive, type NewDrive } from './db/drives';
import { createEnrollmentCode, findUsableCode } from './db/enrollment-codes';
import type { Database } from './db/schema';
import { makeOneTimePassword } from './passwords';

const DAY_MS = 24 * 60 * 60 * 1000;
export const DEMO_CODE_USES = 100;
export const DEMO_CODE_DAYS = 90;

export const DEMO_DRIVE: NewDrive = {
  title: 'Safe Crosswalks for Every School',
  goal: 25_000,
  petitions: [
    {
      language: 'en',
      title: 'Safe Crosswalks for Every School',
      text: [
        'To the Mayor and the City Council:',
        'Every school day, children in our city cross busy streets to reach their classrooms. Too many of those crossings have faded paint, no signal, and drivers who do not slow down.',
        'We, the undersigned residents, ask the city to build a clearly marked, well-lit crosswalk with a pedestrian signal within two blocks of every public elementary and middle school, and to lower the speed limit near schools to 20 mph at arrival and dismissal times.',
        'We ask that this work be funded in the next city budget and finished before the following school year begins.',
      ].join('\n\n'),
    },
    {
      language: 'es',
      title: 'Cruces peatonales seguros para todas las escuelas',
      text: [
        'Al alcalde y al Concejo Municipal:',
        'Cada día de clases, los niños de nuestra ciudad cruzan calles con mucho tráfico para llegar a sus aulas. Demasiados de esos cruces tienen la pintura borrada, no tienen semáforo y los conductores no reducen la velocidad.',
        'Nosotros, los residentes abajo firmantes, pedimos a la ciudad que construya un cruce peatonal bien señalizado e iluminado, con semáforo para peatones, a menos de dos cuadras de cada escuela primaria y secundaria pública, y que baje el límite de velocidad cerca de las escuelas a 20 millas por hora a las horas de entrada y salida.',
        'Pedimos que esta obra se financie en el próximo presupuesto municipal y se termine antes de que comience el siguiente año escolar.',
      ].join('\n\n'),
    },
    {
      language: 'zh-Hans',
      title: '为每所学校修建安全的人行横道',
      text: [
        '致市长和市议会：',
        '每个上学日，我们城市的孩子们都要穿过车流繁忙的街道去上课。太多这样的路口标线已经褪色，没有信号灯，司机也不减速。',
        '我们，下列签名的居民，请求市政府在每所公立小学和初中两个街区范围内，修建标线清晰、照明良好并配有行人信号灯的人行横道，并在上学和放学时段将学校附近的限速降至每小时20英里。',
        '我们请求将这项工程列入下一年度的市政预算，并在下一个学年开始之前完工。',
      ].join('\n\n'),
    },
  ],
};

export interface DemoDrive {
  code: string;
  /** The demo drive's passphrase and recovery key: printed once at the first start, never stored. */
  passphrase: string;
  recoveryKey: string;
}

/** On an empty database, create the demo drive (with a random passphrase) and its enrollment code; undefined when drives exist. */
export async function seedDemoDrive(db: Kysely<Database>, now = new Date()): Promise<DemoDrive | undefined> {
  if (await hasAnyDrive(db)) return undefined;
  const passphrase = makeOneTimePassword();
  const drive = await createDrive(db, { ...DEMO_DRIVE, passphrase }, now);
  const code = await createEnrollmentCode(db, { driveId: drive.id, uses: DEMO_CODE_USES, expiresAt: new Date(now.getTime() + DEMO_CODE_DAYS * DAY_MS) }, now);
  return { code, passphrase, recoveryKey: drive.recoveryKey };
}

/** A code that still enrolls devices on the first drive (the demo drive on a seeded server). */
export async function currentDemoCode(db: Kysely<Database>, now = new Date()): Promise<string | undefined> {
  const first = await db.selectFrom('drives').select('id').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  return first && findUsableCode(db, first.id, now);
}
