import type { ReceiverDefinition } from "../src/receivers/receiverDefinition";
import { parameterName } from "../src/receivers/registryItem";
import { receiverParameters, registrationName } from "../stack/receiverResourceNames";

/** A resource that exists already, and how `pulumi import` takes it under the stack. */
export interface ReceiverImport {
  /** The resource's type token, as the program declares it. */
  type: string;
  /** Its name in the stack, as the program declares it: together with the type, its URN. */
  name: string;
  /** The provider's import ID, as a shell word. */
  id: string;
  /** The `pulumi import` command line. */
  command: string;
}

/**
 * The `pulumi import` commands that take a receiver registered by hand under the stack, once a receiver
 * file of its name describes it: each parameter in its folder and each registry item, under the names
 * the program gives them, so that `pulumi up` then updates them in place instead of failing to create
 * them (`ParameterAlreadyExists`, an item that exists). An item's import ID is the table's name, its hash
 * key value and its range key value, separated by commas, which neither project names nor parameter
 * names hold; the table's name is the stack output `tableName`.
 */
export function receiverImports(
  receiver: ReceiverDefinition,
  parameterPath: string,
  stack: string,
): ReceiverImport[] {
  const command = (type: string, name: string, id: string): ReceiverImport => ({
    type,
    name,
    id,
    // Not protected, as the program declares them; the program already holds their code.
    command: `pulumi import --stack ${stack} --protect=false --generate-code=false --yes ${type} ${name} ${id}`,
  });
  const urlParameter = parameterName(parameterPath, receiver.name, "url");
  return [
    ...receiverParameters(receiver).map(({ kind, resourceName }) =>
      command("aws:ssm/parameter:Parameter", resourceName, parameterName(parameterPath, receiver.name, kind)),
    ),
    ...receiver.projects.map((project) =>
      command(
        "aws:dynamodb/tableItem:TableItem",
        registrationName(receiver.name, project),
        `"$(pulumi stack output --stack ${stack} tableName),${project},${urlParameter}"`,
      ),
    ),
  ];
}
