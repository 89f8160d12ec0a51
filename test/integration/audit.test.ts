import { registerModel } from '../support/catalog-fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t.stop();
});

describe('audit log storage', () => {
  test('UPDATE, DELETE and TRUNCATE of the audit table are refused by the database', async () => {
    const model = await registerModel(t, { license: 'MIT' });
    const id = await t.services.audit.recordAlone({ action: 'model.updated', actor: 'someone', modelId: model.id, reason: 'test', details: { field: 'x' } });
    const [row] = await t.dataSource.query('SELECT actor, action, project, model_id FROM audit_log WHERE id = $1', [id]);
    expect(row).toEqual({ actor: 'someone', action: 'model.updated', project: 'default', model_id: model.id });
    await expect(t.dataSource.query(`UPDATE audit_log SET actor = 'forger' WHERE id = $1`, [id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(t.dataSource.query(`DELETE FROM audit_log WHERE id = $1`, [id])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(t.dataSource.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    const [still] = await t.dataSource.query('SELECT actor FROM audit_log WHERE id = $1', [id]);
    expect(still.actor).toBe('someone');
  });
});
