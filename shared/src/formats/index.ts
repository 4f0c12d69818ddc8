import { ArchiveFormat } from './format';
import { botportJson } from './botport-json/writer';

/** Every archive format by its `fileFormat` name; adding one is one file and one line. */
export const FORMATS: Record<string, ArchiveFormat> = {
  BotportJson: botportJson,
};

export type { ArchiveFormat, FormatInput } from './format';
