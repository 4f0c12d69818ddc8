import path from 'node:path';
import { createBotWith, newTenant, token, useApiAndWorker } from '../support/harness';
import { awsEnv, PYTHON, run } from '../support/aws-clients';
import { createCredential } from '../support/credentials';
import { demoBot } from '../support/fixtures';

/** Debian's python3-boto3 running a small integration script (lex_boto3_flow.py) against botport. */
const stack = useApiAndWorker();

test('a boto3 script looks the bot up, exports, imports, and reads ClientError codes', async () => {
  const admin = token(newTenant());
  await createBotWith(stack.api, admin, demoBot('Boto Pizza'), true);
  const credential = await createCredential(stack.api, admin, { name: 'boto3' });
  const result = await run(PYTHON, [path.join(__dirname, 'lex_boto3_flow.py')], {
    ...awsEnv(credential.signIn.aws),
    BOTPORT_URL: stack.api.url,
    BOT_NAME: 'Boto Pizza',
  });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  expect(result.json).toEqual({
    describe_bot: 'Boto Pizza',
    versions: ['DRAFT', '1'],
    locales: ['de_DE', 'en_US'],
    intents: 3,
    export: 'Completed',
    listed_exports: [true],
    update: 'InProgress',
    delete_export: 'Deleting',
    import: ['Completed', 'FromBoto3'],
    listed_imports: true,
    delete_import: 'Deleting',
    not_found: ['ResourceNotFoundException', 404, expect.stringContaining('ZZZZZZZZZZ')],
    bad_id: 'ValidationException',
    typed: 'ResourceNotFoundException',
  });
});
