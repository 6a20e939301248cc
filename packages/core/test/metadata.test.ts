import { describe, expect, it } from 'vitest';
import { BaseService } from '../src/base-service.js';
import { getDeclaredMetadata, normalizeMetadata, Service } from '../src/metadata.js';

describe('normalizeMetadata', () => {
  it('GIVEN minimal metadata THEN every default is applied', () => {
    expect(normalizeMetadata({ id: 'github', name: ' GitHub ', type: 'external' }, 'x.js')).toEqual({
      id: 'github',
      name: 'GitHub',
      description: '',
      type: 'external',
      version: null,
      dependencies: [],
      configSchema: null,
      healthCheck: { intervalMs: 30_000, timeoutMs: 5_000, failureThreshold: 3, successThreshold: 1 },
      tags: [],
      liveConfig: true,
      enabledByDefault: true,
      onDependencyReload: 'restart',
    });
  });

  it('GIVEN several invalid fields THEN one error lists every problem with the origin', () => {
    const input = {
      id: 'Bad Id',
      name: '',
      type: 'database',
      dependencies: 'redis',
      healthCheck: { intervalMs: 500, retries: 2 },
    };
    expect(() => normalizeMetadata(input, 'plugins/bad.service.js')).toThrow(
      expect.objectContaining({
        code: 'SD_ERR_INVALID_METADATA',
        message:
          'Invalid metadata for "Bad Id" in plugins/bad.service.js: id "Bad Id" must be lowercase letters and digits, separated by single dashes or underscores, starting with a letter (e.g. "github", "redis-cache"); name must be a non-empty string; type "database" must be one of internal, external, wrapper; dependencies must be an array of service ids; healthCheck.retries is not a setting (known: intervalMs, timeoutMs, failureThreshold, successThreshold); healthCheck.intervalMs must be at least 1000. Fix the metadata and start again.',
      }),
    );
  });

  it('GIVEN an unknown onDependencyReload policy THEN it is refused naming the two policies', () => {
    expect(() =>
      normalizeMetadata({ id: 'a', name: 'A', type: 'internal', onDependencyReload: 'ignore' }, 'x.js'),
    ).toThrow(/onDependencyReload "ignore" must be "restart" or "notify"/);
    expect(
      normalizeMetadata({ id: 'a', name: 'A', type: 'internal', onDependencyReload: 'notify' }, 'x.js')
        .onDependencyReload,
    ).toBe('notify');
  });

  it('GIVEN a service depending on itself or metadata that is not an object THEN it is refused', () => {
    expect(() =>
      normalizeMetadata({ id: 'a', name: 'A', type: 'internal', dependencies: ['a'] }, 'x'),
    ).toThrow(/a service cannot depend on itself/);
    expect(() => normalizeMetadata(null, 'x.js')).toThrow(
      expect.objectContaining({
        code: 'SD_ERR_INVALID_METADATA',
        message:
          'Service metadata in x.js is not an object. Export SERVICE_METADATA as an object with at least id, name and type.',
      }),
    );
  });
});

describe('@Service()', () => {
  it('GIVEN a decorated class THEN its metadata is attached and BaseService returns it normalized', () => {
    @Service({
      id: 'weather',
      name: 'Weather',
      type: 'wrapper',
      version: '1.0.0',
      healthCheck: { intervalMs: 60_000 },
    })
    class WeatherService extends BaseService {
      healthCheck() {
        return 'active' as const;
      }
    }
    expect(getDeclaredMetadata(WeatherService)).toEqual({
      id: 'weather',
      name: 'Weather',
      type: 'wrapper',
      version: '1.0.0',
      healthCheck: { intervalMs: 60_000 },
    });
    expect(new WeatherService().getMetadata().healthCheck.intervalMs).toBe(60_000);
    expect(getDeclaredMetadata(class Plain {})).toBeUndefined();
  });

  it('GIVEN a class without metadata extending BaseService THEN getMetadata says how to declare it', () => {
    class Bare extends BaseService {
      healthCheck() {
        return 'active' as const;
      }
    }
    expect(() => new Bare().getMetadata()).toThrow(
      'Bare declares no metadata. Decorate the class with @Service({...}) or override getMetadata().',
    );
  });
});
