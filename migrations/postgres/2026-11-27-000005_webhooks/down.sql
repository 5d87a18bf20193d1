DROP TABLE webhook_deliveries;
DROP TABLE developer_webhooks;
