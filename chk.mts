import { Database } from './server/db/database.js';
import { runImport } from './server/import/run-import.js';
import { presetMapping } from './server/import/presets.js';
const db = await Database.open({ path: ':memory:' });
try { console.log(await runImport(db, { mapping: presetMapping('canonical'), files: [{ path: '/tmp/t/orders.csv' }], onError: 'skip' })); } catch (e) { console.log(e); }
const m = { ...presetMapping('canonical'), nullIf: ['9999-12-31', '0000-00-00'] };
try { const r = await runImport(db, { mapping: m as any, files: [{ path: '/tmp/t/orders.csv' }], onError: 'skip' }); console.log(r.problems, r.ordersInserted); } catch (e) { console.log(e); }
console.log(await db.query('select order_id, created_at::varchar c, promised_at::varchar p from orders'));
