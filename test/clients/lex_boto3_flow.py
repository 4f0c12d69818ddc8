"""An integration written against Amazon Lex V2 with boto3, unchanged but for
its endpoint and keys: it looks the bot up by name, exports a locale, waits,
downloads, imports the archive back as a new bot, and reads the typed errors.
Prints one JSON document of what it saw (the test asserts on it)."""
import json
import os
import time
import urllib.request

import boto3
from botocore.exceptions import ClientError

lex = boto3.client("lexv2-models", endpoint_url=os.environ["BOTPORT_URL"], region_name="sa-east-1")
seen = {}


def settled(read, field):
    for _ in range(300):
        state = read()
        if state[field] != "InProgress":
            return state
        time.sleep(0.05)
    raise RuntimeError("still InProgress")


bot = lex.list_bots(filters=[{"name": "BotName", "values": [os.environ["BOT_NAME"]], "operator": "EQ"}])["botSummaries"][0]
bot_id = bot["botId"]
seen["describe_bot"] = lex.describe_bot(botId=bot_id)["botName"]
seen["versions"] = [v["botVersion"] for v in lex.list_bot_versions(botId=bot_id)["botVersionSummaries"]]
version = bot["latestBotVersion"]
locales = lex.list_bot_locales(botId=bot_id, botVersion=version)["botLocaleSummaries"]
seen["locales"] = sorted(l["localeId"] for l in locales)
seen["intents"] = lex.describe_bot_locale(botId=bot_id, botVersion=version, localeId="en_US")["intentsCount"]

created = lex.create_export(
    resourceSpecification={"botLocaleExportSpecification": {"botId": bot_id, "botVersion": version, "localeId": "en_US"}},
    fileFormat="LexJson",
)
done = settled(lambda: lex.describe_export(exportId=created["exportId"]), "exportStatus")
seen["export"] = done["exportStatus"]
archive = urllib.request.urlopen(done["downloadUrl"]).read()
seen["listed_exports"] = [s["exportId"] == created["exportId"] for s in lex.list_exports(botId=bot_id)["exportSummaries"]]
seen["update"] = lex.update_export(exportId=created["exportId"])["exportStatus"]
settled(lambda: lex.describe_export(exportId=created["exportId"]), "exportStatus")
seen["delete_export"] = lex.delete_export(exportId=created["exportId"])["exportStatus"]

upload = lex.create_upload_url()
urllib.request.urlopen(urllib.request.Request(upload["uploadUrl"], data=archive, method="PUT")).read()
lex.start_import(
    importId=upload["importId"],
    resourceSpecification={"botImportSpecification": {"botName": "FromBoto3", "roleArn": "arn:aws:iam::123456789012:role/LexImportRole", "dataPrivacy": {"childDirected": False}, "idleSessionTTLInSeconds": 300}},
    mergeStrategy="FailOnConflict",
)
imported = settled(lambda: lex.describe_import(importId=upload["importId"]), "importStatus")
seen["import"] = [imported["importStatus"], imported["importedResourceName"]]
seen["listed_imports"] = upload["importId"] in [s["importId"] for s in lex.list_imports()["importSummaries"]]
seen["delete_import"] = lex.delete_import(importId=upload["importId"])["importStatus"]

try:
    lex.describe_export(exportId="ZZZZZZZZZZ")
except ClientError as e:
    seen["not_found"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"]]
try:
    lex.describe_bot_locale(botId=bot_id, botVersion="last", localeId="en_US")
except ClientError as e:
    seen["bad_id"] = e.response["Error"]["Code"]
try:
    lex.describe_bot(botId="ZZZZZZZZZZ")
except lex.exceptions.ResourceNotFoundException as e:
    seen["typed"] = type(e).__name__

print(json.dumps(seen))
