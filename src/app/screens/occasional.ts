// The volunteer's occasional screens (the shift, today's list, this tablet) as one chunk, loaded on
// first use: none of them is the signer form, and together they share their text and styles.
import './screens.css';
export { DeviceScreen } from './DeviceScreen';
export { ShiftScreen } from './ShiftScreen';
export { TodayScreen } from './TodayScreen';
