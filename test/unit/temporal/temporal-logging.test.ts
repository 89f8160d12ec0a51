import { sdkLogLevel } from '../../../src/temporal/temporal-logging';

describe('Temporal SDK log levels', () => {
  it("keeps the SDK's warnings and errors, but not the expected warning of the activities-only host worker", () => {
    expect(sdkLogLevel('ERROR', 'Worker failed')).toBe('error');
    expect(sdkLogLevel('WARN', 'Activity heartbeat timed out')).toBe('warn');
    expect(sdkLogLevel('WARN', 'No workflows registered, not polling for workflow tasks')).toBe('debug');
  });
});
