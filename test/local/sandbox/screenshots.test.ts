import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot } from '../../../local/sandbox/project-root';
import { APPROVAL_CARD, HEADLINE_CARDS } from '../../../local/sandbox/screenshots';

it('the README shows every card `npm run screenshots` writes, and each image is in docs/images', () => {
  const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
  for (const file of [...HEADLINE_CARDS.map((c) => c.file), APPROVAL_CARD.file]) {
    expect(readme, file).toContain(`](docs/images/${file})`);
    expect(existsSync(join(projectRoot(), 'docs', 'images', file)), file).toBe(true);
  }
});
