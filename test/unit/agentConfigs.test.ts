import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { codexConfig } from '../support/codexAgentFixture.js';

describe('agent configuration files shown in docs/acp.md', () => {
  it('the Codex config, pointed at a mock, keeps its provider and drops only the key variable', () => {
    const config = codexConfig('http://127.0.0.1:1234');
    expect(config).toMatch(/^model_provider = "gateway"$/m);
    expect(config).toMatch(/^\[model_providers\.gateway\]$/m);
    expect(config).toMatch(/^base_url = "http:\/\/127\.0\.0\.1:1234\/v1"$/m);
    expect(config).toMatch(/^wire_api = "responses"$/m);
    expect(config).not.toMatch(/env_key|openai-gateway\.example/);
  });

  it('the opencode config names a provider package, and its model is one of that provider', () => {
    const config = JSON.parse(readFileSync('examples/agents/opencode.json', 'utf8')) as {
      provider: Record<string, { npm: string; options: { baseURL: string }; models: Record<string, unknown> }>;
      model: string;
    };
    const [providerId, modelId] = config.model.split('/');
    const provider = config.provider[providerId!];
    expect(provider?.npm).toBe('@ai-sdk/openai-compatible');
    expect(new URL(provider!.options.baseURL).pathname).toBe('/v1');
    expect(Object.keys(provider!.models)).toContain(modelId);
  });
});
