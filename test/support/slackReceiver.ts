import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { startReceiver, type RecordedRequest, type Receiver, type ResponseStep } from "./receivers";

/** A per-build Slack receiver's `perBuild`, as the registry item holds it: post, then chat.update. */
export const SLACK_PER_BUILD: AttributeValue = {
  M: {
    post: {
      M: {
        path: { S: "/chat.postMessage" },
        template: { S: '{"channel": "C0123ABC", "text": "$PROJECT #$BUILD_NUMBER: $STATUS"}' },
        method: { S: "POST" },
        remember: { M: { SLACK_CHANNEL: { S: "channel" }, SLACK_TS: { S: "ts" } } },
      },
    },
    update: {
      M: {
        path: { S: "/chat.update" },
        template: {
          S: '{"channel": "$SLACK_CHANNEL", "ts": "$SLACK_TS", "text": "$PROJECT #$BUILD_NUMBER: $STATUS"}',
        },
        method: { S: "POST" },
      },
    },
  },
};

/** What a Slack receiver's answers must hold (`answer: { ok: true }`). */
export const SLACK_ANSWER: AttributeValue = { M: { ok: { BOOL: true } } };

/** One request a Slack-like receiver was sent, read: the Web API method and the message's fields. */
export interface SlackCall {
  method: "post" | "update";
  channel?: string;
  ts?: string;
  text?: string;
}

export function slackCalls(receiver: Receiver): SlackCall[] {
  return receiver.requests.map((request) => {
    const body = JSON.parse(request.body) as { channel?: string; ts?: string; text?: string };
    return {
      method: request.path.endsWith("/chat.update") ? "update" : "post",
      ...(body.channel === undefined ? {} : { channel: body.channel }),
      ...(body.ts === undefined ? {} : { ts: body.ts }),
      ...(body.text === undefined ? {} : { text: body.text }),
    };
  });
}

/**
 * A loopback receiver that answers as Slack's Web API does: chat.postMessage with `{"ok": true, "channel",
 * "ts"}` (the n-th message's ts is `1700000000.00000<n>`), chat.update with `{"ok": true}`; `answers`
 * may answer a request otherwise.
 */
export function startSlackReceiver(
  answers: (request: RecordedRequest, index: number) => ResponseStep | undefined = () => undefined,
): Promise<Receiver> {
  let posted = 0;
  return startReceiver((request, index) => {
    const scripted = answers(request, index);
    if (scripted) return scripted;
    if (request.path.endsWith("/chat.update")) return { status: 200, body: '{"ok": true}' };
    posted += 1;
    const { channel } = JSON.parse(request.body) as { channel?: string };
    return { status: 200, body: JSON.stringify({ ok: true, channel, ts: `1700000000.00000${posted}` }) };
  });
}
