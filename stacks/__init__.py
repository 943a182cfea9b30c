"""The lab's CloudFormation stacks. Each stack only composes constructs from ``ekslab_constructs``."""
