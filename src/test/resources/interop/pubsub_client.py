"""A Python client of the front door, built from proto/ alone (protoc + grpc_python_plugin).

Usage: pubsub_client.py GENERATED_DIR TARGET
Publishes one event, a batch of three and a session of two, tries one invalid event, and prints
one JSON object with what the server answered.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from prism.interfaces import pubsub_basic_pb2 as pb  # noqa: E402
from prism.interfaces import pubsub_basic_pb2_grpc as rpc  # noqa: E402


def main(target):
    answers = {}
    with grpc.insecure_channel(target) as channel:
        stub = rpc.PubSubBasicInterfaceStub(channel)
        one = stub.Publish(pb.PublishRequest(topic="py-writer", payload=b"from python",
                                             attributes={"lang": "python"}), timeout=20)
        answers["publish"] = {"message_id": one.message_id, "sequence": one.sequence}

        batch = stub.BatchPublish(pb.BatchPublishRequest(events=[
            pb.PublishRequest(topic="py-writer", payload=("batch-%d" % i).encode()) for i in range(3)
        ]), timeout=20)
        answers["batch"] = [r.message_id for r in batch.results]

        session = stub.PublishSession(iter([
            pb.PublishRequest(topic="py-session", payload=b"s0"),
            pb.PublishRequest(topic="py-session", payload=b"s1"),
        ]), timeout=20)
        answers["session"] = {"event_count": session.event_count,
                              "session_end": session.session_end.message_id}

        try:
            stub.Publish(pb.PublishRequest(topic="", payload=b"x"), timeout=20)
            answers["invalid"] = "OK"
        except grpc.RpcError as refused:
            answers["invalid"] = "%s %s" % (refused.code().name, refused.details())
    print(json.dumps(answers))


if __name__ == "__main__":
    main(sys.argv[2])
