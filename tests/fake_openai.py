"""A local OpenAI-compatible HTTP server for tests: real sockets, real client, scripted answers.

Serves /v1/embeddings (deterministic vectors) and /v1/chat/completions (answers queued with
enqueue(), streamed when the client asks for a stream); can be made slow or broken.
"""

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

DIM = 64
STREAM_PIECE = 7


def char_vector(text: str) -> list[float]:
    """Deterministic bag-of-characters embedding: similar texts get similar vectors."""
    vector = np.zeros(DIM, dtype=np.float32)
    for char in text:
        vector[int(hashlib.md5(char.encode()).hexdigest(), 16) % DIM] += 1.0
    norm = float(np.linalg.norm(vector)) or 1.0
    return (vector / norm).tolist()


class FakeOpenAI:
    """Records every request body in `requests`; `enqueue` scripts the next chat answers."""

    def __init__(self):
        self.requests: list[dict] = []
        self.fail_with: int | None = None
        self.delay = 0.0
        self._answers: list[str] = []
        self.default_answer = '{"drafts": []}'
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                try:
                    self._answer()
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def _answer(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "body": body})
                # the answer is taken when the request arrives: a request its client gave up on
                # (a timeout test) never takes the answer queued for a later one
                chat = self.path.endswith("/chat/completions")
                answer = fake._answers.pop(0) if chat and fake._answers else fake.default_answer
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.fail_with:
                    self._send(fake.fail_with, {"error": {"message": "scripted failure"}})
                elif self.path.endswith("/embeddings"):
                    self._embeddings(body)
                elif chat:
                    if body.get("stream"):
                        self._stream(body, answer)
                    else:
                        self._send(200, fake.completion(body["model"], answer))
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})

            def _embeddings(self, body):
                inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                data = [
                    {"object": "embedding", "index": i, "embedding": char_vector(text)}
                    for i, text in enumerate(inputs)
                ]
                usage = {"prompt_tokens": 1, "total_tokens": 1}
                self._send(
                    200, {"object": "list", "data": data, "model": body["model"], "usage": usage}
                )

            def _stream(self, body, answer):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, len(answer), STREAM_PIECE):
                    piece = answer[start : start + STREAM_PIECE]
                    self._chunk(f"data: {json.dumps(fake.chunk(body['model'], piece))}\n\n")
                self._chunk(f"data: {json.dumps(fake.chunk(body['model'], None))}\n\n")
                self._chunk("data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")

            def _chunk(self, text):
                raw = text.encode()
                self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
                self.wfile.flush()

            def _send(self, status, payload):
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def enqueue(self, *answers: str) -> None:
        """The next chat completions answer with these contents, in order."""
        self._answers.extend(answers)

    def chat_requests(self) -> list[dict]:
        """Bodies of the chat completion requests received so far."""
        return [r["body"] for r in self.requests if r["path"].endswith("/chat/completions")]

    @staticmethod
    def completion(model: str, content: str) -> dict:
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }

    @staticmethod
    def chunk(model: str, piece: str | None) -> dict:
        delta = {"content": piece} if piece is not None else {}
        return {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": None if piece else "stop"}],
        }

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
