/** Discord's epoch, the first second of 2015, in ms since the Unix epoch (https://docs.discord.com/developers/reference#snowflakes). */
export const DISCORD_EPOCH_MS = 1_420_070_400_000;

/** A Discord id: decimal digits of a 64-bit snowflake. */
export const SNOWFLAKE = /^\d{15,21}$/;

/** When a snowflake (an interaction's or a message's id) was made, in ms since the Unix epoch. */
export function snowflakeTimeMs(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS;
}
