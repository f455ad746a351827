import { describe, expect, it } from 'vitest';
import * as AC from 'adaptivecards';
import { cardSizeBytes, MAX_CARD_BYTES } from '../../cards/adaptive-card';
import { allCards, hostile, realistic } from './card-fixtures';
import { HOSTILE } from './card-inspect';
import teamsHostConfig from './teams-host-config.json';

/**
 * Every card the bot can send (the fixtures of every card kind, card-fixtures.ts `allCards`: a card added there is
 * checked here too), parsed by Microsoft's own Adaptive Cards library as a Teams client would: schema version 1.5,
 * the Microsoft Teams host config (teams-host-config.json: adaptivecards-designer 2.4.4,
 * lib/hostConfigs/microsoft-teams-light.json, © Microsoft, MIT licence). Parsing and validation must report nothing at
 * all (no unknown element, property or value, no action over the host's limit), and the card must stay within
 * Teams' 28 KB.
 */
function sdkProblems(json: object): string[] {
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig(teamsHostConfig);
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    const event = context.getEventAt(i);
    problems.push(`parse ${AC.ValidationEvent[event.event]}: ${event.message}`);
  }
  for (const event of card.validateProperties().validationEvents) problems.push(`validate ${AC.ValidationEvent[event.event]}: ${event.message}`);
  return problems;
}

const cards = allCards(realistic);

describe("every card the bot sends, parsed by Microsoft's adaptivecards library (1.5, Teams host config)", () => {
  it('covers every card kind of the fixtures', () => {
    expect(Object.keys(cards).length).toBeGreaterThan(10);
  });

  for (const [name, card] of Object.entries(cards)) {
    it(`${name}: no parse or validation error or warning, at most ${MAX_CARD_BYTES / 1024} KB`, () => {
      expect(sdkProblems(card)).toEqual([]);
      expect(cardSizeBytes(card)).toBeLessThanOrEqual(MAX_CARD_BYTES);
    });
  }

  // Size is not asserted here: with a 10,000-character value in every field at once, several cards exceed 28 KB
  // (the fleet card most); each field is capped (cards.test.ts), the card's total is not yet.
  it('with hostile text in every untrusted field, still parses cleanly', () => {
    for (const value of Object.values(HOSTILE)) {
      for (const [name, card] of Object.entries(allCards(hostile(value)))) expect({ name, problems: sdkProblems(card) }).toEqual({ name, problems: [] });
    }
  });

  it('would report what Teams would not show: an unknown element, a property value it does not know, too many actions', () => {
    const problems = sdkProblems({
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'Bogus' }, { type: 'TextBlock', text: 'x', size: 'enormous' }],
      actions: Array.from({ length: 7 }, (_, i) => ({ type: 'Action.Execute', verb: `v${i}`, title: `t${i}` })),
    });
    expect(problems.join('\n')).toMatch(/UnknownElementType/);
    expect(problems.join('\n')).toMatch(/InvalidPropertyValue/);
    expect(problems.join('\n')).toMatch(/TooManyActions/);
  });
});
