import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../../functions/data/table-definition';

export interface ChatTableProps {
  /** RETAIN with deletion protection (production data) or DESTROY with the stack. */
  readonly retainData: boolean;
  readonly pointInTimeRecovery: boolean;
  /** A fixed name; default: generated, so that several stages live side by side. */
  readonly tableName?: string;
}

/**
 * The single table, built from the same definition as the local and test table
 * (functions/data/table-definition.ts): pk/sk, the sparse overloaded GSIs (projection ALL), TTL, on-demand.
 */
export class ChatTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ChatTableProps) {
    super(scope, id);
    const key = (name: string) => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      ...(props.tableName ? { tableName: props.tableName } : {}),
      partitionKey: key(TABLE_DEFINITION.partitionKey),
      sortKey: key(TABLE_DEFINITION.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TABLE_DEFINITION.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery },
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The usage stream consumer reads the debit records' new images (functions/handlers/usage-stream.ts).
      stream: dynamodb.StreamViewType[TABLE_DEFINITION.stream],
    });
    for (const gsi of TABLE_DEFINITION.gsis) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: key(gsi.partitionKey),
        sortKey: key(gsi.sortKey),
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...gsi.projected],
      });
    }
  }
}
