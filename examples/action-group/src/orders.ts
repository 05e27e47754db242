/** Stands in for your order system. */
export interface Order {
  orderId: string;
  accountId: string;
  status: 'processing' | 'shipped' | 'delivered';
  deliveryWindow: string;
}

export function lookUpOrder(accountId: string, orderId: string): Order {
  return { orderId, accountId, status: 'shipped', deliveryWindow: '2024-01-17/2024-01-18' };
}
